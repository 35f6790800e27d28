"""The OpenAI-compatible endpoint, driven by the official ``openai`` client over real HTTP."""

from __future__ import annotations

import re

import openai
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.assembly import Components
from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def server(sample_components: Components):
    with LiveServer(create_app(sample_components)) as live:
        yield live


def test_openai_client_gets_a_cited_answer(server: LiveServer) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused")
    completion = client.chat.completions.create(
        model="newsqa", messages=[{"role": "user", "content": "How many kettles did Brightwell recall?"}])
    content = completion.choices[0].message.content
    assert "48,000" in content and re.search(r"\[1\]", content)
    assert "Sources:" in content
    citations = completion.model_extra["citations"]
    assert citations and citations[0]["title"].startswith("Brightwell")
    assert completion.model_extra["refusal"] is None


def test_openai_client_sees_why_a_question_was_refused(server: LiveServer) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused")
    completion = client.chat.completions.create(
        model="newsqa", messages=[{"role": "user", "content": "What is a good recipe for sourdough bread?"}])
    assert completion.choices[0].message.content.startswith("The articles don't cover this.\n")
    assert "Closest articles:" in completion.choices[0].message.content
    assert completion.model_extra["refused"] is True
    assert completion.model_extra["refusal"]["code"] == "no_relevant_passage"


def test_openai_client_streams_the_checked_answer(server: LiveServer) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused")
    stream = client.chat.completions.create(
        model="newsqa", stream=True,
        messages=[{"role": "system", "content": "Be brief."},
                  {"role": "user", "content": "Which company did Apple choose as its AI partner in China?"},
                  {"role": "assistant", "content": "Alibaba."},
                  {"role": "user", "content": "And what about Baidu?"}])
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream]
    text = "".join(pieces)
    assert len(pieces) > 2 and "Baidu" in text and "[1]" in text


def test_last_message_must_be_a_user_question(sample_components: Components) -> None:
    client = TestClient(create_app(sample_components))
    response = client.post("/v1/chat/completions", json={
        "model": "newsqa", "messages": [{"role": "assistant", "content": "Hello"}]})
    assert response.status_code == 422
    assert "last message must be a non-empty user message" in response.json()["detail"]
    assert client.get("/v1/models").json()["data"][0]["id"] == "newsqa"
