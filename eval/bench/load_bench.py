"""Load and soak benchmark: N concurrent clients send questions to ``/v1/search`` and
``/v1/ask`` of a real ``newsqa serve`` on loopback for a fixed time, and the run reports
served requests per second, p50/p95/p99 latency and every request that was not served, by
reason. The soak mode holds a steady load for longer and follows the server's memory.

    python -m eval.bench.load_bench [--clients 16] [--duration 60] [--endpoint search|ask ...]
        [--backend extractive|local] [--stream] [--soak]
        [--data-dir DIR | --url http://127.0.0.1:PORT [--pid PID]] [--questions FILE|DIR]
        [--keep-limits] [--timeout S] [--out FILE]

By default the server is started here on an index of the shipped sample corpus (built into
``bench-results/`` on the first run), with the rate limit off and one LLM queue place per
client, because the figure wanted is what the service can serve, not what it lets one
address send. Each client sends one request after another until the deadline; a request in
flight then may finish (within ``--timeout``) but is not counted, so that the next phase
starts on a server no longer busy with this one. Requests finishing in the warm-up (by
default the first tenth of the duration, at most 10 s) are left out of every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import urlsplit

import httpx

from eval.bench.common import (RESULTS_DIR, RssMonitor, free_port, latency_summary, start_server,
                               stop_server, write_results)
from service.security.binding import is_loopback
from service.settings import PROJECT_ROOT, Settings

GOLD_QUESTIONS = PROJECT_ROOT / "eval" / "gold" / "sample_gold.jsonl"
SAMPLE_INDEX = RESULTS_DIR / "sample-index"
ENDPOINTS = ("search", "ask")
LOAD_DURATION_S = 60.0
SOAK_DURATION_S = 600.0
MAX_WARMUP_S = 10.0
# The status recorded when no HTTP answer came: a timeout, a refused connection, a stream
# that ended without ``done`` or ``error``.
NO_RESPONSE = 0
# A client that got no answer at all waits this long, so a dead server is not spun on.
NO_RESPONSE_PAUSE_S = 0.1
RSS_INTERVAL_S = 1.0
RSS_POINTS = 10


@dataclass(frozen=True)
class Query:
    """A question, the day it is asked on, and a date window (``date_from``, ``date_to``)
    that its answer must come from."""

    text: str
    as_of: str | None = None
    window: tuple[str, str] | None = None


@dataclass(frozen=True)
class Target:
    """What one phase sends: the endpoint, for ``ask`` whether the answer streams, and
    whether the cross-encoder reranks (the costliest stage of a search)."""

    endpoint: str
    stream: bool = False
    rerank: bool = True

    @property
    def name(self) -> str:
        name = "ask-stream" if self.streams else self.endpoint
        return name if self.rerank else f"{name}-no-rerank"

    @property
    def streams(self) -> bool:
        return self.stream and self.endpoint == "ask"

    def body(self, query: Query) -> dict[str, Any]:
        body: dict[str, Any] = {"query" if self.endpoint == "search" else "question": query.text}
        if query.as_of:
            body["as_of"] = query.as_of
        if query.window:
            body["filters"] = {"date_from": query.window[0], "date_to": query.window[1]}
        if self.streams:
            body["stream"] = True
        if not self.rerank:
            body["rerank"] = False
        return body


@dataclass(frozen=True)
class Outcome:
    """One request: when it finished (``time.monotonic()``), how long it took, its status."""

    done_at: float
    latency_ms: float
    status: int


@dataclass(frozen=True)
class Phase:
    """Every outcome of one phase, and the window its figures are measured over."""

    outcomes: list[Outcome]
    warm_end: float
    deadline: float


def loopback_url(url: str) -> str:
    """The base URL without a trailing slash; refuses any host but a loopback one, because
    a load test must never be pointed at somebody else's machine by mistake."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if not is_loopback(parts.hostname):
        raise ValueError(f"refusing to load {parts.hostname}: only loopback addresses "
                         "(127.0.0.1, ::1, localhost) may be benchmarked")
    return url.rstrip("/")


def questions_file(path: Path) -> Path:
    """A benchmark folder (such as rtqa-dev) stands for the ``questions.jsonl`` inside it."""
    return path / "questions.jsonl" if path.is_dir() else path


def load_queries(path: Path) -> list[Query]:
    """The ``question`` of every line, with its ``as_of`` (gold sets) or ``date`` (rtqa-dev)
    so that a dated question asks about its own time."""
    queries = []
    with path.open() as src:
        for line in src:
            if line.strip():
                row = json.loads(line)
                queries.append(Query(row["question"], row.get("as_of") or row.get("date")))
    if not queries:
        raise ValueError(f"no questions in {path}")
    return queries


def default_warmup(duration_s: float, soak: bool = False) -> float:
    """A load phase leaves out its first seconds; a soak leaves out its first fifth, because
    its memory baseline must come after every client has finished a few answers (one
    answer under 16 clients took 17 s, and RSS rose for the first two minutes)."""
    return duration_s / 5 if soak else min(duration_s / 10, MAX_WARMUP_S)


def retry_after_s(headers: httpx.Headers) -> float:
    try:
        return max(float(headers.get("retry-after", "0")), 0.0)
    except ValueError:
        return 0.0


async def stream_status(response: httpx.Response) -> int:
    """A stream's status is known only at its end: ``done`` is a 200, an ``error`` event
    carries its own status, a stream cut short got no answer."""
    kind = ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            kind = line[len("event: "):]
        elif line.startswith("data: ") and kind in ("done", "error"):
            return 200 if kind == "done" else int(json.loads(line[len("data: "):])["status"])
    return NO_RESPONSE


async def send(client: httpx.AsyncClient, target: Target, query: Query) -> tuple[int, float]:
    """Sends one request and reads the whole answer; returns its status and Retry-After."""
    async with client.stream("POST", f"/v1/{target.endpoint}", json=target.body(query)) as response:
        if target.streams and response.status_code == 200:
            return await stream_status(response), 0.0
        await response.aread()
        return response.status_code, retry_after_s(response.headers)


async def timed_send(client: httpx.AsyncClient, target: Target, query: Query,
                     timeout_s: float) -> tuple[Outcome, float]:
    """One request, timed, with its Retry-After; one that takes longer than ``timeout_s``
    or fails in transport counts as no response instead of ending the run."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout_s):
            status, retry_after = await send(client, target, query)
    except (TimeoutError, httpx.HTTPError):
        status, retry_after = NO_RESPONSE, 0.0
    done = time.monotonic()
    return Outcome(done, (done - started) * 1000, status), retry_after


def pause_after(status: int, retry_after: float) -> float:
    """A well-behaved client waits as long as a 429 or 503 asks, and a moment after no answer."""
    if status in (429, 503):
        return retry_after
    return NO_RESPONSE_PAUSE_S if status == NO_RESPONSE else 0.0


async def client_loop(client: httpx.AsyncClient, target: Target, queries: Sequence[Query],
                      first: int, deadline: float, timeout_s: float) -> list[Outcome]:
    """One client: a request, its whole answer, the next request, until ``deadline``
    (``time.monotonic()``). No request lasts longer than ``timeout_s`` (it then counts as no
    response), which bounds the run to the duration plus one timeout."""
    outcomes: list[Outcome] = []
    index = first
    while time.monotonic() < deadline:
        query = queries[index % len(queries)]
        index += 1
        outcome, retry_after = await timed_send(client, target, query, timeout_s)
        outcomes.append(outcome)
        await asyncio.sleep(min(pause_after(outcome.status, retry_after), max(deadline - outcome.done_at, 0.0)))
    return outcomes


async def run_phase(base_url: str, target: Target, queries: Sequence[Query], clients: int,
                    duration_s: float, warmup_s: float, timeout_s: float) -> Phase:
    """Every client at once for ``duration_s``. Clients start at different questions so
    that they do not move in lockstep."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout_s, limits=limits) as client:
        started = time.monotonic()
        deadline = started + duration_s
        runs = await asyncio.gather(*(client_loop(client, target, queries, i, deadline, timeout_s)
                                      for i in range(clients)))
    return Phase([outcome for run in runs for outcome in run], started + warmup_s, deadline)


def status_breakdown(statuses: Counter[int]) -> dict[str, Any]:
    """Why requests were not served: the rate limit (429) and a full LLM queue or a store
    that is down (503, both with Retry-After) are designed answers under overload and are
    kept apart from real failures (other 5xx), other refusals (by status) and no answer."""
    return {
        "rate_limited_429": statuses[429],
        "unavailable_503": statuses[503],
        "server_errors_5xx": sum(n for s, n in statuses.items() if s >= 500 and s != 503),
        "other_non_2xx": {str(s): n for s, n in sorted(statuses.items())
                          if s != NO_RESPONSE and not 200 <= s < 300 and s != 429 and s < 500},
        "no_response": statuses[NO_RESPONSE],
    }


def summarize(outcomes: Sequence[Outcome], window_start: float, window_end: float) -> dict[str, Any]:
    """Figures over the requests that finished inside the window (after the warm-up, by the
    deadline). Throughput counts served (2xx) requests; latency percentiles are of served
    requests only, because a fast 429 or 503 would make a saturated server look quick. The
    error rate leaves out 429 and 503, which are designed answers; the not-served rate does not."""
    finished = [o for o in outcomes if window_start <= o.done_at <= window_end]
    statuses: Counter[int] = Counter(o.status for o in finished)
    served = [o.latency_ms for o in finished if 200 <= o.status < 300]
    turned_away = statuses[429] + statuses[503]
    seconds = window_end - window_start
    return {
        "window_s": round(seconds, 2),
        "requests": len(finished),
        "served": len(served),
        "throughput_rps": round(len(served) / seconds, 2) if seconds > 0 else None,
        "sent_rps": round(len(finished) / seconds, 2) if seconds > 0 else None,
        "latency_ms": latency_summary(served, (50, 95, 99)),
        "error_rate": share(len(finished) - len(served) - turned_away, len(finished)),
        "not_served_rate": share(len(finished) - len(served), len(finished)),
        **status_breakdown(statuses),
        "status_counts": {str(s): n for s, n in sorted(statuses.items())},
        "warmup_requests": sum(o.done_at < window_start for o in outcomes),
        "after_deadline_requests": sum(o.done_at > window_end for o in outcomes),
    }


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def spread(items: Sequence[Any], points: int) -> list[Any]:
    """``points`` items evenly spaced from first to last (all of them when there are fewer)."""
    if len(items) <= points or points < 2:
        return list(items)
    return [items[round(i * (len(items) - 1) / (points - 1))] for i in range(points)]


def growth_pct(start_mb: float, end_mb: float) -> float:
    return round((end_mb - start_mb) / start_mb * 100, 2)


def rss_report(samples: Sequence[tuple[float, float]], warm_end: float, points: int = RSS_POINTS) -> dict[str, Any]:
    """The server's memory at the start of the load, after the warm-up and at the end, with
    growth in percent: growth since the warm-up is the leak signal, since caches and model
    buffers fill during the first requests."""
    if not samples:
        return {}
    start, end = samples[0], samples[-1]
    warm = next((s for s in samples if s[0] >= warm_end), end)
    return {
        "start_mb": round(start[1], 1), "after_warmup_mb": round(warm[1], 1), "end_mb": round(end[1], 1),
        "growth_pct": growth_pct(start[1], end[1]), "growth_since_warmup_pct": growth_pct(warm[1], end[1]),
        "peak_mb": round(max(mb for _, mb in samples), 1),
        "samples": [{"t_s": round(t - start[0], 1), "mb": round(mb, 1)} for t, mb in spread(samples, points)],
    }


def limit_overrides(clients: int) -> dict[str, str]:
    """What a throughput measurement needs from a server started here: every client comes
    from 127.0.0.1, one rate-limit identity, so the limit is off; and each client gets a
    place in the LLM queue, so that waiting replaces 503s."""
    return {"NEWSQA_RATE_LIMIT_PER_MINUTE": "0", "NEWSQA_LLM_QUEUE_SIZE": str(clients)}


def sample_index() -> Path:
    """One sample index per encoder precision: an index keeps the precision it was built with,
    and the server refuses to open it with the other."""
    return SAMPLE_INDEX / Settings().encoder_precision


@contextmanager
def own_server(args: argparse.Namespace, log_path: Path) -> Iterator[tuple[str, int, list[str]]]:
    """``newsqa serve`` started here; yields its URL, pid and what to tell about it."""
    overrides = {} if args.keep_limits else limit_overrides(args.clients)
    data_dir = args.data_dir or sample_index()
    serve_args = () if args.data_dir else ("--sample-if-empty",)
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        server = start_server(data_dir, args.backend, port, env=overrides, serve_args=serve_args, log=log)
        notes = [f"server: newsqa serve on 127.0.0.1:{port} (pid {server.pid}), backend {args.backend}, "
                 f"data dir {data_dir}, log {log_path}"]
        if overrides:
            notes.append("server settings for a throughput measurement: "
                         + ", ".join(f"{k}={v}" for k, v in overrides.items())
                         + " (rate limit off, one LLM queue place per client)")
        else:
            notes.append("server limits as configured (--keep-limits): expect 429 and 503 under load")
        try:
            yield f"http://127.0.0.1:{port}", server.pid, notes
        finally:
            stop_server(server)


@contextmanager
def running_server(args: argparse.Namespace) -> Iterator[tuple[str, int | None, list[str]]]:
    """A server already running at ``--url``: its own limits apply, and its memory is
    followed only when ``--pid`` names its process."""
    notes = [f"server: already running at {args.url}; its own rate limit and LLM queue apply "
             "(429 and 503 are likely under load)"]
    if args.pid is None:
        notes.append("server RSS: skipped (give --pid with --url)")
    yield args.url, args.pid, notes


def run_phases(base_url: str, pid: int | None, targets: Sequence[Target], queries: Sequence[Query],
               args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The phases one after another, with the server's memory followed throughout."""
    phases: dict[str, Any] = {}
    warm_end: float | None = None
    with RssMonitor(pid, RSS_INTERVAL_S) if pid else nullcontext() as monitor:
        for target in targets:
            phase = asyncio.run(run_phase(base_url, target, queries, args.clients, args.duration,
                                          args.warmup, args.timeout))
            warm_end = warm_end or phase.warm_end
            phases[target.name] = summarize(phase.outcomes, phase.warm_end, phase.deadline)
            print_phase(target.name, phases[target.name], args.clients, args.duration)
    rss = rss_report(monitor.samples, warm_end or 0.0) if monitor else {}
    return phases, rss


def shown(value: float | None, suffix: str = "") -> str:
    return "-" if value is None else f"{value:g}{suffix}"


def print_phase(name: str, figures: dict[str, Any], clients: int, duration: float) -> None:
    latency = figures["latency_ms"]
    percent = {key: None if figures[key] is None else round(figures[key] * 100, 2)
               for key in ("error_rate", "not_served_rate")}
    print(f"{name}: {clients} clients for {duration:g} s, measured over the last {figures['window_s']:g} s "
          f"({figures['warmup_requests']} requests in the warm-up left out)")
    print(f"  throughput  {shown(figures['throughput_rps'])} req/s served, {shown(figures['sent_rps'])} req/s "
          f"sent ({figures['requests']} requests measured)")
    print(f"  latency ms  p50 {shown(latency['p50'])}  p95 {shown(latency['p95'])}  p99 {shown(latency['p99'])} "
          f"(served requests, n={latency['n']})")
    print(f"  errors      {shown(percent['error_rate'], '%')}: 5xx {figures['server_errors_5xx']}, "
          f"other non-2xx {figures['other_non_2xx'] or 'none'}, no response {figures['no_response']}")
    print(f"  not served  {shown(percent['not_served_rate'], '%')}: the errors, plus 429 rate limited "
          f"{figures['rate_limited_429']} and 503 busy/unavailable {figures['unavailable_503']}")
    print(f"  left out    {figures['after_deadline_requests']} requests that finished after the deadline")


def print_rss(rss: dict[str, Any], soak: bool) -> None:
    if not rss:
        return
    print(f"server RSS  start {rss['start_mb']} MB, after warm-up {rss['after_warmup_mb']} MB, "
          f"end {rss['end_mb']} MB, peak {rss['peak_mb']} MB; growth {rss['growth_pct']:+}% since start, "
          f"{rss['growth_since_warmup_pct']:+}% since warm-up")
    if soak:
        print("  samples   " + "  ".join(f"{s['t_s']:g}s:{s['mb']:g}" for s in rss["samples"]))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--duration", type=float,
                        help=f"seconds per endpoint (default {LOAD_DURATION_S:g}, soak {SOAK_DURATION_S:g})")
    parser.add_argument("--endpoint", action="append", choices=ENDPOINTS,
                        help="endpoint to load, repeatable (default search and ask; soak: ask)")
    parser.add_argument("--backend", default="extractive", choices=["extractive", "local"],
                        help="answer backend of the server started here")
    parser.add_argument("--stream", action="store_true", help="ask for Server-Sent Events answers")
    parser.add_argument("--no-rerank", action="store_true", help="send rerank: false (retrieval without the cross-encoder)")
    parser.add_argument("--soak", action="store_true", help="steady load for longer, following the server's RSS")
    parser.add_argument("--data-dir", type=Path, help="serve this index instead of the sample corpus's")
    parser.add_argument("--url", help="load an already running server (loopback only)")
    parser.add_argument("--pid", type=int, help="process of the --url server, to follow its RSS")
    parser.add_argument("--questions", type=Path, default=GOLD_QUESTIONS,
                        help="questions.jsonl, or a folder holding one (default: the sample gold set)")
    parser.add_argument("--keep-limits", action="store_true",
                        help="start the server with its configured rate limit and LLM queue")
    parser.add_argument("--warmup", type=float,
                        help=f"seconds left out at the start of each phase (default a tenth of the "
                             f"duration, at most {MAX_WARMUP_S:g}; soak: a fifth)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one request may take")
    parser.add_argument("--out", type=Path, help="result JSON (default bench-results/<mode>-<backend>.json)")
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.duration = args.duration or (SOAK_DURATION_S if args.soak else LOAD_DURATION_S)
    args.endpoint = args.endpoint or (["ask"] if args.soak else list(ENDPOINTS))
    args.warmup = default_warmup(args.duration, args.soak) if args.warmup is None else args.warmup
    if args.clients < 1 or args.duration <= 0 or args.timeout <= 0:
        parser.error("--clients, --duration and --timeout must be positive")
    if not 0 <= args.warmup < args.duration:
        parser.error("--warmup must be shorter than --duration")
    if args.url:
        if args.data_dir:
            parser.error("--url and --data-dir exclude each other")
        try:
            args.url = loopback_url(args.url)
        except ValueError as exc:
            parser.error(str(exc))
    elif args.pid is not None:
        parser.error("--pid only goes with --url")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    mode = "soak" if args.soak else "load"
    name = f"{mode}-{'url' if args.url else args.backend}"
    source = questions_file(args.questions)
    queries = load_queries(source)
    targets = [Target(endpoint, args.stream, not args.no_rerank)
               for endpoint in ENDPOINTS if endpoint in args.endpoint]
    server = running_server(args) if args.url else own_server(args, RESULTS_DIR / f"{name}-server.log")
    with server as (base_url, pid, notes):
        print("\n".join(notes))
        print(f"questions: {len(queries)} from {source}")
        phases, rss = run_phases(base_url, pid, targets, queries, args)
    print_rss(rss, args.soak)
    results = {"mode": mode, "backend": None if args.url else args.backend, "url": args.url,
               "clients": args.clients, "duration_s": args.duration, "warmup_s": args.warmup,
               "stream": args.stream, "rerank": not args.no_rerank, "limits_overridden": not (args.url or args.keep_limits),
               "questions": {"source": str(source), "count": len(queries)},
               "phases": phases, "server_rss": rss}
    print(f"results: {write_results(name, results, args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
