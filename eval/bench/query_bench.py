"""Query benchmark: the rtqa-dev questions through ``/v1/search`` and ``/v1/ask`` of a real
``newsqa serve`` process over HTTP, with per-stage latencies, tokens/s and peak RSS.

    python -m eval.bench.query_bench [--backend extractive|local] [--limit N] [--data-dir DIR]

The index in ``--data-dir`` is brought up to date first (unchanged articles are skipped).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator, Sequence

import httpx

from eval.bench.common import (RESULTS_DIR, RTQA_DEV, RssMonitor, latency_summary, start_server,
                               stop_server, write_results)
from service.settings import PROJECT_ROOT


def sse_events(response: httpx.Response) -> Iterator[tuple[str, dict[str, Any]]]:
    kind = ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            yield kind, json.loads(line[6:])


def ask_streaming(client: httpx.Client, question: dict[str, Any]) -> dict[str, float]:
    started = time.perf_counter()
    first = last = None
    tokens = 0
    timings: dict[str, float] = {}
    with client.stream("POST", "/v1/ask", json={"question": question["question"],
                                                "as_of": question["date"], "stream": True}) as response:
        response.raise_for_status()
        for kind, data in sse_events(response):
            now = time.perf_counter()
            if kind == "token":
                tokens += 1
                first = first or now
                last = now
            elif kind == "done":
                timings = data["timings_ms"]
    result = {f"server_{k}": v for k, v in timings.items()}
    result["client_total"] = (time.perf_counter() - started) * 1000
    if first is not None:
        result["client_first_token"] = (first - started) * 1000
        if last is not None and tokens > 1 and last > first:
            result["tokens_per_s"] = (tokens - 1) / (last - first)
    return result


def run(questions: list[dict[str, Any]], port: int) -> dict[str, Any]:
    stages: dict[str, dict[str, list[float]]] = {"search": {}, "search_rerank": {}, "ask": {}}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
        for q in questions:
            for name, rerank in (("search", False), ("search_rerank", True)):
                started = time.perf_counter()
                body = client.post("/v1/search", json={"query": q["question"], "as_of": q["date"],
                                                       "rerank": rerank}).raise_for_status().json()
                stages[name].setdefault("client_total", []).append((time.perf_counter() - started) * 1000)
                for stage, ms in body["timings_ms"].items():
                    stages[name].setdefault(stage, []).append(ms)
            for key, value in ask_streaming(client, q).items():
                stages["ask"].setdefault(key, []).append(value)
    return {name: {k: latency_summary(v) for k, v in values.items()} for name, values in stages.items()}


def ensure_index(data_dir: Path, articles: Path) -> None:
    env = {**os.environ, "NEWSQA_DATA_DIR": str(data_dir)}
    subprocess.run([sys.executable, "-m", "service.cli", "ingest", "--quiet", str(articles)],
                   env=env, cwd=PROJECT_ROOT, check=False)


def indexed_documents(data_dir: Path) -> int:
    """Articles in the index, as ``newsqa stats`` counts them: on an empty index every
    question is refused before retrieval has anything to rank, and the figures time nothing."""
    env = {**os.environ, "NEWSQA_DATA_DIR": str(data_dir)}
    out = subprocess.run([sys.executable, "-m", "service.cli", "stats"], env=env, cwd=PROJECT_ROOT,
                         check=True, capture_output=True, text=True).stdout
    return int(json.loads(out)["documents"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bench", type=Path, default=RTQA_DEV)
    parser.add_argument("--data-dir", type=Path, default=RESULTS_DIR / "rtqa-index")
    parser.add_argument("--backend", default="extractive", choices=["extractive", "local", "openai"])
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-ingest", action="store_true", help="use the index as it is")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    if not args.skip_ingest:
        ensure_index(args.data_dir, args.bench / "articles.jsonl")
    if indexed_documents(args.data_dir) == 0:
        print(f"no articles are indexed in {args.data_dir}: run without --skip-ingest, or pass "
              "--data-dir of an index", file=sys.stderr)
        return 2
    with (args.bench / "questions.jsonl").open() as src:
        questions = [json.loads(line) for line in src if line.strip()][:args.limit]
    server = start_server(args.data_dir, args.backend, args.port)
    try:
        with RssMonitor(server.pid) as rss:
            results = run(questions, args.port)
    finally:
        stop_server(server)
    results.update(backend=args.backend, questions=len(questions), server_peak_rss_mb=round(rss.peak_mb))
    for name in ("search", "search_rerank", "ask"):
        print(name)
        for stage, s in results[name].items():
            print(f"  {stage:<24} p50 {s['p50']:>9.2f}  p95 {s['p95']:>9.2f}  (n={s['n']})")
    print(f"server peak RSS {results['server_peak_rss_mb']} MB")
    print(f"results: {write_results(f'query-{args.backend}', results, args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
