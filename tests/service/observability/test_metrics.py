"""/metrics exposes request, answer and ingest counters once requests have been served."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service.app import create_app
from service.assembly import Components


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_answers_and_requests_are_counted(sample_components: Components) -> None:
    client = TestClient(create_app(sample_components))
    before = _samples(client.get("/metrics").text)
    assert client.post("/v1/ask", json={"question": "How many kettles did Brightwell recall?"}).status_code == 200
    streamed = client.post("/v1/ask", json={"question": "What is a good recipe for sourdough bread?",
                                            "stream": True})
    assert "event: done" in streamed.text
    assert client.get("/v1/documents/no-such-id").status_code == 404
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    after = _samples(response.text)

    def grew(name: str, by: float = 1, **labels: str) -> bool:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0) >= by

    default = "default"
    assert grew("newsqa_http_requests_total", 2, method="POST", route="/v1/ask", status="200", collection=default)
    assert grew("newsqa_http_requests_total", method="GET", route="/v1/documents/{doc_id:path}", status="404",
                collection=default)
    assert grew("newsqa_http_request_duration_seconds_count", 2, method="POST", route="/v1/ask", collection=default)
    for stage in ("embed", "dense", "lexical", "fuse", "rerank", "total"):
        assert grew("newsqa_ask_stage_duration_seconds_count", 2, stage=stage, collection=default), stage
    assert grew("newsqa_ask_stage_duration_seconds_count", 1, stage="generate", collection=default)
    assert grew("newsqa_generated_tokens_total", collection=default)
    assert grew("newsqa_answers_total", 2, collection=default)
    assert grew("newsqa_refusals_total", 1, reason="no_relevant_passage", collection=default)
    assert not any("no-such-id" in str(key) for key in after), "routes are templates, never ids"


def test_ingest_outcomes_are_counted(components: Components) -> None:
    client = TestClient(create_app(components))
    article = {"id": "m1", "title": "Tram depot opens", "text": "The new tram depot opened on Friday."}
    client.post("/v1/documents", json={"articles": [article]})
    client.post("/v1/documents", json={"articles": [article, {**article, "id": "m2", "text": "Changed."}]})
    client.post("/v1/documents/upload", files={"file": ("empty.md", b"")})
    client.post("/v1/documents/upload", files={"file": ("note.txt", b"Ferry fares frozen\n\nFares stay at $3.")})
    text = client.get("/metrics").text
    for outcome, count in (("added", 3), ("unchanged", 1), ("updated", 0)):
        assert f'newsqa_ingest_documents_total{{collection="default",outcome="{outcome}"}} {count}.0' in text, outcome
    chunks = float(re.search(r'^newsqa_ingest_chunks_total{collection="default"} (\S+)$', text, re.M).group(1))
    assert chunks >= 3
