"""Prometheus metrics of one app, in a registry of its own (so tests can build many apps).

Names are documented in README, "Observability". Labels are bounded: routes are templates
(``/v1/documents/{doc_id:path}``, never a document id), unmatched paths share one label,
and ``collection`` is the name of a collection that exists and the key may read (empty for
requests that name none or are refused): a name a client makes up never becomes a label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

if TYPE_CHECKING:
    from ingest.pipeline import IngestReport
    from service.answering.ask_service import Event

# Seconds; generation on a CPU takes many seconds, so the buckets reach two minutes.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("newsqa_http_requests", "HTTP requests by route template and status.",
                                ["method", "route", "status", "collection"], registry=r)
        self.request_seconds = Histogram("newsqa_http_request_duration_seconds",
                                         "Time to the last byte of the response, by route template.",
                                         ["method", "route", "collection"], buckets=LATENCY_BUCKETS, registry=r)
        self.stage_seconds = Histogram("newsqa_ask_stage_duration_seconds",
                                       "Time spent in each stage of answering (embed, dense, lexical, "
                                       "fuse, rerank, first_token, generate, total, ...).",
                                       ["stage", "collection"], buckets=LATENCY_BUCKETS, registry=r)
        self.tokens = Counter("newsqa_generated_tokens", "Pieces of answer text streamed by the generator.",
                              ["collection"], registry=r)
        self.answers = Counter("newsqa_answers", "Answers given, refusals included.", ["collection"], registry=r)
        self.refusals = Counter("newsqa_refusals", "Answers that were refusals, by reason code.",
                                ["reason", "collection"], registry=r)
        self.ingested = Counter("newsqa_ingest_documents", "Documents ingested through the API, by outcome.",
                                ["outcome", "collection"], registry=r)
        self.ingested_chunks = Counter("newsqa_ingest_chunks", "Chunks written by API ingestion.",
                                       ["collection"], registry=r)
        self.feed_polls = Counter("newsqa_feed_polls", "Feed polls by feed id and outcome (new, unchanged, "
                                  "not_modified, error).", ["feed", "outcome"], registry=r)
        self.feed_articles = Counter("newsqa_feed_articles", "Articles that feed polls added or updated.",
                                     ["feed", "outcome"], registry=r)
        self.llm_waiting = Gauge("newsqa_llm_queue_depth", "Requests waiting for the language model.",
                                 registry=r)
        self.llm_running = Gauge("newsqa_llm_in_flight", "Requests the language model is generating.",
                                 registry=r)

    def observe_request(self, method: str, route: str, status: int, seconds: float,
                        collection: str = "") -> None:
        self.requests.labels(method, route, str(status), collection).inc()
        self.request_seconds.labels(method, route, collection).observe(seconds)

    def observe_event(self, event: Event, collection: str) -> None:
        """One event of an answer stream: tokens, the checked answer, the final timings."""
        if event.type == "token":
            self.tokens.labels(collection).inc()
        elif event.type == "citations":
            self.answers.labels(collection).inc()
            refusal = event.data.get("refusal")
            if refusal:
                self.refusals.labels(refusal["code"], collection).inc()
        elif event.type == "done":
            for stage, ms in event.data.get("timings_ms", {}).items():
                self.stage_seconds.labels(stage, collection).observe(ms / 1000.0)

    def observe_ingest(self, report: IngestReport, collection: str) -> None:
        for outcome, ids in (("added", report.added), ("updated", report.updated),
                             ("unchanged", report.unchanged), ("failed", report.failed)):
            self.ingested.labels(outcome, collection).inc(len(ids))
        self.ingested_chunks.labels(collection).inc(report.chunks)

    def observe_feed_poll(self, feed_id: str, status: str, added: int, updated: int) -> None:
        self.feed_polls.labels(feed_id, status).inc()
        for outcome, count in (("added", added), ("updated", updated)):
            if count:
                self.feed_articles.labels(feed_id, outcome).inc(count)

    def track_llm_queue(self, waiting: Callable[[], float], running: Callable[[], float]) -> None:
        """Read at scrape time, so the gauges are never stale."""
        self.llm_waiting.set_function(waiting)
        self.llm_running.set_function(running)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
