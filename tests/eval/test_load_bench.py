"""The load benchmark's pure parts on hand-made outcomes (what counts as measured, served,
turned away or failed; the loopback guard; the memory report), and its client loop once
against the real app, so that the figures rest on requests that really went out."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Coroutine, TypeVar

import httpx
import pytest

from eval.bench import load_bench
from eval.bench.load_bench import Outcome, Query, Target
from service.app import create_app
from service.assembly import Components
from service.settings import PROJECT_ROOT
from tests.conftest import LiveServer

T = TypeVar("T")


def run_alone(coroutine: Coroutine[object, object, T]) -> T:
    """Runs a coroutine on a thread of its own: pytest-playwright keeps an event loop
    running on the main thread once a browser test has run, and ``asyncio.run`` refuses to
    start a second one there."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost:8000/", "http://[::1]:9000",
                                 "https://127.0.0.2"])
def test_loopback_urls_are_accepted(url: str) -> None:
    assert load_bench.loopback_url(url) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://10.0.0.5:8000", "http://example.org", "http://0.0.0.0:8000",
                                 "ftp://127.0.0.1", "127.0.0.1:8000"])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        load_bench.loopback_url(url)


def test_a_non_loopback_url_stops_the_command_line() -> None:
    with pytest.raises(SystemExit):
        load_bench.parse_args(["--url", "http://192.168.1.20:8000"])


def test_defaults_differ_between_load_and_soak() -> None:
    load = load_bench.parse_args([])
    soak = load_bench.parse_args(["--soak"])
    assert (load.clients, load.duration, load.endpoint, load.warmup) == (16, 60, ["search", "ask"], 6)
    assert (soak.duration, soak.endpoint, soak.warmup) == (600, ["ask"], 120)


def test_the_sample_index_is_kept_per_encoder_precision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSQA_ENCODER_PRECISION", "fp32")
    fp32 = load_bench.sample_index()
    monkeypatch.setenv("NEWSQA_ENCODER_PRECISION", "int8")
    assert fp32 != load_bench.sample_index()
    assert fp32.parent == load_bench.sample_index().parent == load_bench.SAMPLE_INDEX


def test_summary_counts_only_the_window_and_keeps_refusals_apart() -> None:
    outcomes = [
        Outcome(0.5, 900.0, 200),                       # warm-up
        *(Outcome(1.0 + i, 100.0 + i, 200) for i in range(8)),
        Outcome(3.0, 5.0, 429), Outcome(4.0, 6.0, 503), Outcome(5.0, 7.0, 503),
        Outcome(6.0, 50.0, 500), Outcome(6.5, 3.0, 422), Outcome(7.0, 30_000.0, load_bench.NO_RESPONSE),
        Outcome(11.0, 4000.0, 200),                     # after the deadline
    ]
    figures = load_bench.summarize(outcomes, window_start=1.0, window_end=9.0)
    assert figures["requests"] == 14 and figures["served"] == 8
    assert figures["throughput_rps"] == 1.0 and figures["sent_rps"] == 1.75
    assert figures["latency_ms"] == {"p50": 103.5, "p95": 106.65, "p99": 106.93, "n": 8}
    assert figures["rate_limited_429"] == 1 and figures["unavailable_503"] == 2
    assert figures["server_errors_5xx"] == 1 and figures["other_non_2xx"] == {"422": 1}
    assert figures["no_response"] == 1
    assert figures["error_rate"] == round(3 / 14, 4)
    assert figures["not_served_rate"] == round(6 / 14, 4)
    assert figures["warmup_requests"] == 1 and figures["after_deadline_requests"] == 1


def test_summary_of_nothing_has_no_rates() -> None:
    figures = load_bench.summarize([], window_start=0.0, window_end=5.0)
    assert figures["throughput_rps"] == 0 and figures["error_rate"] is None
    assert figures["latency_ms"]["p99"] is None


def test_clients_back_off_as_asked() -> None:
    assert load_bench.pause_after(429, 7.0) == 7.0
    assert load_bench.pause_after(503, 5.0) == 5.0
    assert load_bench.pause_after(200, 5.0) == 0.0
    assert load_bench.pause_after(load_bench.NO_RESPONSE, 0.0) == load_bench.NO_RESPONSE_PAUSE_S


def test_rss_report_measures_growth_from_the_warm_up() -> None:
    samples = [(100.0 + t, 500.0 + 10 * t) for t in range(21)]
    rss = load_bench.rss_report(samples, warm_end=105.0, points=5)
    assert (rss["start_mb"], rss["after_warmup_mb"], rss["end_mb"], rss["peak_mb"]) == (500, 550, 700, 700)
    assert rss["growth_pct"] == 40.0 and rss["growth_since_warmup_pct"] == pytest.approx(27.27)
    assert [s["t_s"] for s in rss["samples"]] == [0, 5, 10, 15, 20]
    assert load_bench.rss_report([], warm_end=0.0) == {}


def test_bodies_follow_each_endpoint() -> None:
    query = Query("Who won?", "2024-05-01")
    assert Target("search").body(query) == {"query": "Who won?", "as_of": "2024-05-01"}
    assert Target("ask", stream=True).body(Query("Who won?")) == {"question": "Who won?", "stream": True}
    assert Target("search", stream=True).name == "search"
    assert Target("search", rerank=False).body(Query("Who won?")) == {"query": "Who won?", "rerank": False}
    assert Target("search", rerank=False).name == "search-no-rerank"


@pytest.mark.parametrize("stream, status", [
    ("event: passages\ndata: {}\n\nevent: token\ndata: {\"text\": \"a\"}\n\nevent: done\ndata: {}\n\n", 200),
    ("event: passages\ndata: {}\n\nevent: error\ndata: {\"status\": 503, \"detail\": \"busy\"}\n\n", 503),
    ("event: passages\ndata: {}\n\nevent: token\ndata: {\"text\": \"a\"}\n\n", load_bench.NO_RESPONSE),
])
def test_a_stream_counts_by_how_it_ends(stream: str, status: int) -> None:
    async def ask() -> tuple[int, float]:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, text=stream))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await load_bench.send(client, Target("ask", stream=True), Query("Who won?"))

    assert run_alone(ask()) == (status, 0.0)


def test_a_refusal_reports_its_retry_after() -> None:
    async def search() -> tuple[int, float]:
        transport = httpx.MockTransport(lambda request: httpx.Response(503, headers={"Retry-After": "5"},
                                                                       json={"detail": "busy"}))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await load_bench.send(client, Target("search"), Query("Who won?"))

    assert run_alone(search()) == (503, 5.0)


def test_questions_come_from_the_gold_set_or_a_benchmark_folder(tmp_path: Path) -> None:
    gold = load_bench.load_queries(load_bench.GOLD_QUESTIONS)
    assert gold and all(q.text for q in gold)
    (tmp_path / "questions.jsonl").write_text('{"question": "Who?", "date": "2023-01-05"}\n\n')
    assert load_bench.load_queries(load_bench.questions_file(tmp_path)) == [Query("Who?", "2023-01-05")]
    assert load_bench.GOLD_QUESTIONS.is_relative_to(PROJECT_ROOT)


def test_client_loop_against_the_real_app(sample_components: Components) -> None:
    """Two clients for two seconds of searches: every request is answered and counted once."""
    components = Components(sample_components.settings.model_copy(update={"rate_limit_per_minute": 0}))
    components.embedder = sample_components.embedder
    components.reranker = sample_components.reranker
    queries = load_bench.load_queries(load_bench.GOLD_QUESTIONS)[:4]
    with LiveServer(create_app(components)) as server:
        phase = run_alone(load_bench.run_phase(server.url, Target("search"), queries, clients=2,
                                               duration_s=2.0, warmup_s=0.0, timeout_s=60.0))
    assert len(phase.outcomes) >= 2
    assert {o.status for o in phase.outcomes} == {200}
    figures = load_bench.summarize(phase.outcomes, phase.warm_end, phase.deadline)
    assert figures["requests"] + figures["after_deadline_requests"] == len(phase.outcomes)
