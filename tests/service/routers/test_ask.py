"""/v1/ask and /v1/search through the real stack: sample corpus in Chroma and SQLite, the
packaged embedder and reranker, extractive answers."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components
from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def client(sample_components: Components) -> TestClient:
    return TestClient(create_app(sample_components))


def _assert_citations_are_exact(client: TestClient, body: dict) -> None:
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert markers == {c["n"] for c in body["citations"]}
    for citation in body["citations"]:
        doc = client.get(f"/v1/documents/{citation['doc_id']}").json()
        assert doc["text"][citation["start"]:citation["end"]] == citation["quote"]
        assert citation["title"] == doc["title"] and citation["published"] == doc["published"]


def test_answer_with_checked_citations(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "How many kettles did Brightwell recall?"}).json()
    assert not body["refused"] and body["refusal"] is None
    assert "48,000" in body["answer"]
    assert body["citations"] and body["citations"][0]["title"].startswith("Brightwell")
    _assert_citations_are_exact(client, body)
    assert {"embed", "dense", "lexical", "rerank", "total"} <= set(body["timings"])


def test_injected_instructions_in_an_article_are_ignored(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "Are Brightwell products safe to buy?"}).json()
    assert "ignore" not in body["answer"].lower()
    assert "recommend buying" not in body["answer"].lower()


def test_off_topic_question_is_refused_with_closest_sources(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "What is a good recipe for sourdough bread?"}).json()
    assert body["refused"] is True
    assert body["citations"] == []
    assert body["answer"] == body["refusal"]["message"] == "The articles don't cover this."
    assert body["refusal"]["code"] == "no_relevant_passage"
    assert body["refusal"]["detail"].startswith("no passage is relevant enough: the best scores")


def test_as_of_hides_later_articles(client: TestClient) -> None:
    question = "What is the estimate of insured losses from Storm Delphine?"
    early = client.post("/v1/ask", json={"question": question, "as_of": "2024-10-20"}).json()
    assert "1.2 billion" in early["answer"] and "1.9 billion" not in early["answer"]
    assert all(c["published"] <= "2024-10-20" for c in early["citations"])
    late = client.post("/v1/ask", json={"question": question, "prefer_recent": True}).json()
    assert "1.9 billion" in late["answer"]


def test_source_and_date_filters_apply_inside_the_stores(client: TestClient) -> None:
    hits = client.post("/v1/search", json={
        "query": "Apple artificial intelligence China", "top_k": 10,
        "filters": {"sources": ["Metro Wire"], "date_from": "2025-01-01", "date_to": "2025-12-31"}}).json()
    assert hits["passages"], "filters must not empty a result that has matching chunks"
    for passage in hits["passages"]:
        assert passage["source"] == "Metro Wire"
        assert "2025-01-01" <= passage["published"] <= "2025-12-31"


def test_a_follow_up_on_a_new_subject_is_searched_alone_and_refused(client: TestClient) -> None:
    question = "What is a good recipe for sourdough bread?"
    body = client.post("/v1/ask", json={"question": question, "history": [
        {"role": "user", "content": "What is the latest estimate of insured losses from Storm Delphine?"},
        {"role": "assistant", "content": "Insured losses are now estimated at $1.9 billion [1]."}]}).json()
    assert body["standalone_question"] == question
    assert body["refused"] is True and body["citations"] == []
    assert body["refusal"]["code"] == "no_relevant_passage"


def test_an_elliptical_follow_up_is_answered_about_the_conversation_s_subject(client: TestClient) -> None:
    """"Which models?" takes its subject from the question before it, not that question's
    "how many", and a section heading ("Affected models") is no answer."""
    body = client.post("/v1/ask", json={"question": "Which models?", "history": [
        {"role": "user", "content": "How many SteamPro kettles did Brightwell recall, and what caused the problem?"},
        {"role": "assistant", "content": "About 48,000 kettles, over a faulty thermostat [1]."}]}).json()
    assert not body["refused"], body["refusal"]
    assert "K200" in body["answer"] and "K250" in body["answer"]
    assert any("K200 and K250" in c["quote"] for c in body["citations"])
    _assert_citations_are_exact(client, body)


def test_a_question_with_two_asks_is_answered_part_by_part(client: TestClient) -> None:
    """Each ask gets its own sentence and citation: the count from the lead, the cause from
    a quote further down the article."""
    body = client.post("/v1/ask", json={
        "question": "How many SteamPro kettles did Brightwell recall, and what caused the problem?"}).json()
    assert not body["refused"], body["refusal"]
    assert "48,000" in body["answer"] and "thermostat" in body["answer"]
    assert len(body["citations"]) == 2 and body["unanswered_parts"] == []
    _assert_citations_are_exact(client, body)


def test_follow_up_is_rewritten_with_history(client: TestClient) -> None:
    body = client.post("/v1/ask", json={
        "question": "And what about Baidu?",
        "history": [{"role": "user", "content": "Which company did Apple choose as its AI partner in China?"},
                    {"role": "assistant", "content": "Alibaba."}]}).json()
    assert "Apple" in body["standalone_question"]
    assert "Baidu" in body["answer"] and not body["refused"]


@pytest.mark.parametrize("payload, fragment", [
    ({"question": ""}, "at least 1 character"),
    ({"question": "   "}, "must not be empty"),
    ({"question": "x" * 2001}, "the limit is 2000"),
    ({"question": "q", "filters": {"colour": "red"}}, "colour"),
    ({"question": "q", "filters": {"date_from": "2025-13-45"}}, "date"),
    ({"question": "q", "filters": {"date_from": "2025-02-01", "date_to": "2025-01-01"}}, "date_from must not be after"),
    ({"question": "q", "as_of": "yesterday"}, "date"),
    ({"question": "q", "top_k": 0}, "greater than or equal to 1"),
])
def test_bad_questions_get_precise_422(client: TestClient, payload: dict, fragment: str) -> None:
    response = client.post("/v1/ask", json=payload)
    assert response.status_code == 422
    assert fragment in response.text


def test_store_failure_is_a_503_with_a_message(sample_components: Components,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise httpx.ConnectError("connection refused")

    client = TestClient(create_app(sample_components), raise_server_exceptions=False)
    monkeypatch.setattr(sample_components.corpus().vectors, "search", down)
    response = client.post("/v1/ask", json={"question": "How many kettles did Brightwell recall?"},
                           headers={"Origin": "http://127.0.0.1:8000"})
    assert response.status_code == 503
    assert "unreachable" in response.json()["detail"]
    assert "Traceback" not in response.text
    assert response.headers["retry-after"] == "5"
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"


def _events(raw: str) -> list[tuple[str, dict]]:
    events = []
    for block in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_streaming_events_arrive_in_the_documented_order_over_http(sample_components: Components) -> None:
    with LiveServer(create_app(sample_components)) as server:
        with httpx.stream("POST", f"{server.url}/v1/ask", timeout=60,
                          json={"question": "How many kettles did Brightwell recall?", "stream": True}) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            raw = "".join(response.iter_text())
    events = _events(raw)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "passages" and kinds[-2:] == ["citations", "done"]
    assert set(kinds[1:-2]) == {"token"} and len(kinds) > 3
    streamed = "".join(data["text"] for kind, data in events if kind == "token")
    final = events[-2][1]
    assert re.sub(r" \[\d+\]", "", final["answer"]) == streamed
    assert final["citations"]


def test_streaming_failure_ends_with_an_error_event(sample_components: Components,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def down(*args: object, **kwargs: object) -> None:
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr(sample_components.corpus().vectors, "search", down)
    client = TestClient(create_app(sample_components))
    raw = client.post("/v1/ask", json={"question": "Any news?", "stream": True}).text
    assert _events(raw) == [("error", {"status": 503, "detail": "a backing service (vector store or language model) is unreachable"})]
