"""The OpenAI-compatible endpoint, driven over real HTTP by the official ``openai`` client
and by LangChain's ``ChatOpenAI``, as chat front ends and agents call it."""

from __future__ import annotations

import re

import openai
import pytest
from fastapi.testclient import TestClient
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from service.answering.ask_service import AskResult
from service.app import create_app
from service.assembly import Components
from service.routers.chat_completions import with_sources
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


KETTLES = "How many kettles did Brightwell recall?"


def _client(server: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused")


def test_content_as_a_list_of_text_parts_is_read(server: LiveServer) -> None:
    completion = _client(server).chat.completions.create(model="newsqa", messages=[
        {"role": "system", "content": [{"type": "text", "text": "Answer briefly."}]},
        {"role": "user", "content": [{"type": "text", "text": "How many kettles"},
                                     {"type": "text", "text": "did Brightwell recall?"}]}])
    assert "48,000" in completion.choices[0].message.content


def test_a_part_that_is_not_text_is_a_precise_422(server: LiveServer) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as raised:
        _client(server).chat.completions.create(model="newsqa", messages=[{"role": "user", "content": [
            {"type": "text", "text": KETTLES},
            {"type": "image_url", "image_url": {"url": "https://example.org/kettle.png"}}]}])
    errors = raised.value.body["detail"]
    assert {"type": "literal_error", "loc": ["body", "messages", 0, "content", "parts", 1, "type"],
            "msg": "Input should be 'text'", "ctx": {"expected": "'text'"}} in errors


def test_usage_is_the_extractive_backends_own_count(server: LiveServer, sample_components: Components) -> None:
    completion = _client(server).chat.completions.create(model="newsqa", messages=[
        {"role": "user", "content": KETTLES}])
    count = sample_components.embedder.count_tokens
    generated = completion.choices[0].message.content.split("\n\nSources:")[0]
    assert completion.usage.prompt_tokens == count([KETTLES])[0]
    assert completion.usage.completion_tokens > 10
    assert completion.usage.completion_tokens == count([re.sub(r" ?\[\d+\]", "", generated)])[0]
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_streamed_usage_comes_last_when_asked_for(server: LiveServer) -> None:
    stream = _client(server).chat.completions.create(
        model="newsqa", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": [{"type": "text", "text": KETTLES}]}])
    chunks = list(stream)
    assert "48,000" in "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 10
    assert all(c.usage is None for c in chunks[:-1])
    plain = list(_client(server).chat.completions.create(
        model="newsqa", stream=True, messages=[{"role": "user", "content": KETTLES}]))
    assert all(c.choices and c.usage is None for c in plain)


def test_models_lists_what_is_served(server: LiveServer) -> None:
    client = _client(server)
    [served] = client.models.list().data
    assert (served.id, served.owned_by, served.model_extra) == (
        "newsqa", "newsqa", {"collection": "default", "backend": "extractive", "generator": "extractive"})
    assert served.created > 1_700_000_000
    assert client.models.retrieve("newsqa").id == "newsqa"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_langchain_chat_openai_invokes_and_streams(server: LiveServer) -> None:
    chat = ChatOpenAI(base_url=f"{server.url}/v1", api_key="unused", model="newsqa", stream_usage=True)
    history = [SystemMessage("Be brief."),
               HumanMessage("Which company did Apple choose as its AI partner in China?"),
               AIMessage("Alibaba."), HumanMessage("And what about Baidu?")]
    reply = chat.invoke(history)
    assert "Baidu" in reply.content and "[1]" in reply.content
    assert reply.usage_metadata["input_tokens"] > 0 and reply.usage_metadata["output_tokens"] > 0
    streamed = None
    for chunk in chat.stream([HumanMessage(content=[{"type": "text", "text": KETTLES}])]):
        streamed = chunk if streamed is None else streamed + chunk
    assert "48,000" in streamed.content
    assert streamed.usage_metadata["output_tokens"] > 10


def test_a_source_without_a_name_is_listed_by_its_site() -> None:
    result = AskResult(answer="The ferries cost 31 million euros [1].", standalone_question="q", citations=[
        {"n": 1, "title": "Ferries ordered", "url": "https://www.harbor.example/ferries", "source": None,
         "published": "2025-04-01"}])
    assert with_sources(result).splitlines()[-1] == \
        "[1] Ferries ordered (harbor.example, 2025-04-01) https://www.harbor.example/ferries"
