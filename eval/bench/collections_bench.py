"""Collections benchmark: does a deployment with several corpora answer one of them as fast
as a deployment with that corpus alone? ``/v1/search`` and ``/v1/ask`` (extractive) of a
real ``newsqa serve`` over HTTP, against collection ``c1`` holding the rtqa-dev articles,
first alone, then beside four more collections of the same size, then alone again (the
four deleted), so that warm caches cannot favour either side.

    python -m eval.bench.collections_bench [--limit N] [--data-dir DIR]

``c1`` is indexed like any ingest (unchanged articles are skipped on a re-run). The other
collections are indexed by the same pipeline, with one difference: a chunk text that
``c1`` already embedded takes its vector from ``c1``'s store instead of the encoder, which
would give the same vector (a sample is re-encoded and compared). Their stored data is
what an ingest writes, in a fraction of the encoder's time.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import httpx
import numpy as np

from eval.bench.common import RESULTS_DIR, RTQA_DEV, latency_summary, start_server, stop_server, write_results
from eval.bench.query_bench import sse_events
from ingest.embedder import Embedder
from ingest.pipeline import Indexer, text_hash
from ingest.store.vectors import VectorStore
from service.assembly import Components
from service.settings import Settings

MEASURED = "c1"
COPIES = ("c2", "c3", "c4", "c5")
ENDPOINTS = ("search", "search_as_of", "ask")


class StoredEmbeddings:
    """An encoder for copies of ``source``: texts it holds come from its store. With
    ``verify``, the first batch is also encoded and must match the stored vectors exactly:
    a copy's ingest batches its texts as ``c1``'s did, so the encoder would give the same
    numbers (the int8 graph gives a text a slightly other vector in a batch of other
    lengths, so only the same batch can be compared)."""

    def __init__(self, encoder: Embedder, source: VectorStore, *, verify: bool) -> None:
        self._encoder = encoder
        self._source = source
        self._verify = verify
        self.reused = 0
        self.verified = 0

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self._encoder.count_tokens(texts)

    def embed_documents(self, texts: Sequence[str],
                        on_batch: Callable[[Sequence[int]], None] | None = None) -> list[list[float]]:
        hashes = [text_hash(t) for t in texts]
        stored = self._source.embeddings_by_text(None, sorted(set(hashes)))
        missing = [i for i, h in enumerate(hashes) if h not in stored]
        encoded = dict(zip(missing, self._encoder.embed_documents([texts[i] for i in missing])))
        if self._verify and not missing:
            self._compare(self._encoder.embed_documents(texts), [stored[h] for h in hashes])
        self.reused += len(texts) - len(missing)
        if on_batch:
            on_batch(range(len(texts)))  # type: ignore[arg-type]
        return [encoded[i] if i in encoded else stored[h] for i, h in enumerate(hashes)]

    def _compare(self, fresh: list[list[float]], stored: list[list[float]]) -> None:
        gap = float(np.max(np.abs(np.asarray(fresh) - np.asarray(stored))))
        if gap > 1e-6:
            raise RuntimeError(f"a stored vector differs from what the encoder gives by {gap}")
        self.verified += len(fresh)
        self._verify = False


def _components(data_dir: Path) -> Components:
    return Components(Settings(data_dir=data_dir, llm_backend="extractive", _env_file=None))


def index_measured(data_dir: Path, articles: Path) -> dict[str, Any]:
    """``c1`` by a plain ingest (a re-run skips unchanged articles)."""
    components = _components(data_dir)
    try:
        if components.corpora.find(MEASURED) is None:
            components.corpora.create(MEASURED)
        corpus = components.corpus(MEASURED)
        started = time.perf_counter()
        report = corpus.indexer.ingest(components.sources.read([str(articles)]))
        return {"seconds": round(time.perf_counter() - started, 1), "added": len(report.added),
                "documents": corpus.catalog.count(), "vectors": corpus.vectors.count()}
    finally:
        components.close()


def index_copies(data_dir: Path, articles: Path) -> list[dict[str, Any]]:
    """The other collections, through the pipeline with ``c1``'s stored vectors."""
    components = _components(data_dir)
    try:
        source = components.corpus(MEASURED).vectors
        copies = []
        for name in COPIES:
            components.corpora.create(name)
            corpus = components.corpus(name)
            encoder = StoredEmbeddings(components.embedder, source, verify=name == COPIES[0])
            indexer = Indexer(encoder, components.chunker, corpus.catalog, corpus.vectors,  # type: ignore[arg-type]
                              batch_chunks=components.settings.ingest_batch_chunks,
                              dates_from_urls=components.settings.dates_from_urls)
            started = time.perf_counter()
            report = indexer.ingest(components.sources.read([str(articles)]))
            copies.append({"name": name, "seconds": round(time.perf_counter() - started, 1),
                           "documents": corpus.catalog.count(), "vectors": corpus.vectors.count(),
                           "reused_vectors": encoder.reused, "verified_vectors": encoder.verified,
                           "failed": len(report.failed)})
        return copies
    finally:
        components.close()


def drop_copies(data_dir: Path) -> None:
    components = _components(data_dir)
    try:
        for name in COPIES:
            components.corpora.delete(name)
    finally:
        components.close()


def measure(data_dir: Path, questions: list[dict[str, Any]], port: int, warmup: int) -> dict[str, Any]:
    """Client-side milliseconds per request on ``c1``, after ``warmup`` questions."""
    server = start_server(data_dir, "extractive", port)
    times: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            for number, q in enumerate(questions[:warmup] + questions):
                took = one_round(client, q)
                if number >= warmup:
                    for name, ms in took.items():
                        times[name].append(ms)
    finally:
        stop_server(server)
    return {name: latency_summary(values) for name, values in times.items()}


def one_round(client: httpx.Client, q: dict[str, Any]) -> dict[str, float]:
    took: dict[str, float] = {}
    for name, body in (("search", {"query": q["question"], "rerank": False}),
                       ("search_as_of", {"query": q["question"], "as_of": q["date"], "rerank": False})):
        started = time.perf_counter()
        client.post("/v1/search", json={**body, "collection": MEASURED}).raise_for_status()
        took[name] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    with client.stream("POST", "/v1/ask", json={"question": q["question"], "as_of": q["date"],
                                                "collection": MEASURED, "stream": True}) as response:
        response.raise_for_status()
        for _ in sse_events(response):
            pass
    took["ask"] = (time.perf_counter() - started) * 1000
    return took


def ratios(one: dict[str, Any], five: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {name: {q: round(five[name][q] / one[name][q], 3) for q in ("p50", "p95")} for name in ENDPOINTS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bench", type=Path, default=RTQA_DEV)
    parser.add_argument("--data-dir", type=Path, default=RESULTS_DIR / "collections-index")
    parser.add_argument("--limit", type=int, default=40, help="questions timed per setup")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    with (args.bench / "questions.jsonl").open() as src:
        questions = [json.loads(line) for line in src if line.strip()][:args.limit]
    measured = index_measured(args.data_dir, args.bench / "articles.jsonl")
    drop_copies(args.data_dir)
    alone = measure(args.data_dir, questions, args.port, args.warmup)
    copies = index_copies(args.data_dir, args.bench / "articles.jsonl")
    beside = measure(args.data_dir, questions, args.port, args.warmup)
    drop_copies(args.data_dir)
    alone_again = measure(args.data_dir, questions, args.port, args.warmup)
    results = {"machine": platform.processor() or platform.machine(), "questions": len(questions),
               "c1": measured, "copies": copies, "one_collection": alone, "five_collections": beside,
               "one_collection_again": alone_again, "ratio_five_to_one": ratios(alone, beside),
               "ratio_five_to_one_again": ratios(alone_again, beside)}
    for label, figures in (("1 collection", alone), ("5 collections", beside), ("1 collection again", alone_again)):
        print(label)
        for name in ENDPOINTS:
            s = figures[name]
            print(f"  {name:<14} p50 {s['p50']:>9.2f} ms  p95 {s['p95']:>9.2f} ms  (n={s['n']})")
    for name, r in results["ratio_five_to_one"].items():
        again = results["ratio_five_to_one_again"][name]
        print(f"5 / 1 {name:<14} p50 {r['p50']:.3f} ({again['p50']:.3f})  p95 {r['p95']:.3f} ({again['p95']:.3f})")
    print(f"results: {write_results('collections', results, args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
