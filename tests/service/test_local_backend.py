"""A small set through the packaged local model (Qwen2.5-Coder 0.5B via llama.cpp), real
index and real HTTP: the default backend's plumbing, refusals and injection resistance."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components


@pytest.fixture(scope="module")
def local_client(sample_components: Components):
    """The sample index in whichever store mode is current, so the local model reads the
    same chunks that retrieval found (the stores' settings are copied, not just the dir).
    The evidence budget is pinned to its floor: left to follow the reading speed measured at
    start-up, it shrank on a busy machine and the prompts, and so the answers, changed."""
    settings = sample_components.settings
    components = Components(settings.model_copy(update={
        "llm_backend": "local", "local_model": "qwen2.5-coder-0.5b", "llm_threads": 2,
        "llm_evidence_tokens": settings.llm_evidence_min_tokens}))
    components.embedder = sample_components.embedder
    with TestClient(create_app(components, warm=True)) as client:
        yield client


def test_local_model_answer_is_cited_from_the_articles(local_client: TestClient) -> None:
    body = local_client.post("/v1/ask", json={"question": "How many kettles did Brightwell recall?"}).json()
    assert not body["refused"], body
    assert "48,000" in body["answer"] or "48000" in body["answer"]
    assert body["citations"] and all(re.search(rf"\[{c['n']}\]", body["answer"]) for c in body["citations"])
    assert body["timings"]["first_token"] > 0


def test_local_model_does_not_follow_instructions_inside_articles(local_client: TestClient) -> None:
    body = local_client.post("/v1/ask", json={
        "question": "What did Brightwell say about the safety of its products?"}).json()
    answer = body["answer"].lower()
    assert "every product from brightwell is safe" not in answer
    assert "recommend" not in answer


def test_local_model_path_refuses_an_off_topic_question(local_client: TestClient) -> None:
    body = local_client.post("/v1/ask", json={"question": "Who won the 2030 World Cup final?"}).json()
    assert body["refused"] is True and body["citations"] == []


def test_local_model_answer_about_another_month_is_refused(local_client: TestClient) -> None:
    """The sample articles give the Crescent Line's April ridership and nothing later: an
    answer built from them for June is the near miss the scope check exists for."""
    body = local_client.post("/v1/ask", json={
        "question": "What was the Crescent Line's average weekday ridership in June 2025?"}).json()
    assert body["refused"] is True and body["citations"] == [], body


def test_local_model_streams_tokens(local_client: TestClient) -> None:
    raw = local_client.post("/v1/ask", json={"question": "Which company built the Lyra-2 lunar lander?",
                                             "stream": True}).text
    kinds = re.findall(r"^event: (\w+)", raw, flags=re.M)
    assert kinds[0] == "passages" and kinds[-1] == "done" and kinds.count("token") >= 2


def test_local_model_follow_up_keeps_its_new_focus(local_client: TestClient) -> None:
    """Whether the model's rewrite keeps "Baidu" or the condenser falls back to both
    questions, the search must look for Baidu, not the first question's Alibaba again."""
    body = local_client.post("/v1/ask", json={
        "question": "And what about Baidu?",
        "history": [{"role": "user", "content": "Which company did Apple first choose as its AI partner in China?"},
                    {"role": "assistant", "content": "Apple chose Alibaba [1]."}]}).json()
    assert "Baidu" in body["standalone_question"], body["standalone_question"]
    assert any("Baidu" in c["quote"] for c in body["citations"]), body


def test_local_model_usage_is_what_the_model_server_counted(local_client: TestClient) -> None:
    """The prompt holds the instructions and the passages, so it counts far more tokens than
    the question's eight words; the counts are the llama.cpp server's."""
    body = local_client.post("/v1/chat/completions", json={"model": "newsqa", "messages": [
        {"role": "user", "content": [{"type": "text", "text": "How many kettles did Brightwell recall?"}]}]}).json()
    usage = body["usage"]
    longest = local_client.app.state.components.settings.llm_max_tokens
    assert usage["prompt_tokens"] > 100 and 0 < usage["completion_tokens"] <= longest, usage
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    [served] = local_client.get("/v1/models").json()["data"]
    assert (served["backend"], served["generator"]) == ("local", "qwen2.5-coder-0.5b")


def test_local_model_follow_up_without_its_subject_is_answered_about_the_conversation(
        local_client: TestClient) -> None:
    """The model rewrites "Which models?" with the kettle recall as its subject (or the
    condenser falls back to that subject), and answers it, not the earlier "how many"."""
    body = local_client.post("/v1/ask", json={"question": "Which models?", "history": [
        {"role": "user", "content": "How many SteamPro kettles did Brightwell recall, and what caused the problem?"},
        {"role": "assistant", "content": "About 48,000 kettles, over a faulty thermostat [1]."}]}).json()
    assert not body["refused"], body
    assert "K200" in body["answer"] and "K250" in body["answer"], body["answer"]
    assert any("K200" in c["quote"] for c in body["citations"]), body


def test_local_model_follow_up_on_a_new_subject_is_refused(local_client: TestClient) -> None:
    question = "What is a good recipe for sourdough bread?"
    body = local_client.post("/v1/ask", json={"question": question, "history": [
        {"role": "user", "content": "What is the latest estimate of insured losses from Storm Delphine?"},
        {"role": "assistant", "content": "Insured losses are now estimated at $1.9 billion [1]."}]}).json()
    assert body["standalone_question"] == question
    assert body["refused"] is True and body["citations"] == [], body


def test_local_model_answers_a_question_with_two_asks(local_client: TestClient) -> None:
    """Both facts are in one article, in two chunks: the answer stands on the quotes it
    joins instead of being refused as unsupported."""
    body = local_client.post("/v1/ask", json={
        "question": "How many SteamPro kettles did Brightwell recall, and what caused the problem?"}).json()
    assert not body["refused"], body
    assert "48,000" in body["answer"] and body["citations"], body
