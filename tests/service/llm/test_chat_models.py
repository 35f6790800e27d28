"""Chat model backends; the local ones run the real packaged 0.5B model with one thread."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langchain_openai import ChatOpenAI

from service.llm.chat_models import LLMHandle, build_chat_model
from service.llm.local_server import LocalLlamaServer
from service.llm.model_files import assemble_model

MODEL = "qwen2.5-coder-0.5b"
SERVER_ARGS = {"n_ctx": 2048, "threads": 1}


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real 0.5B model (~470 MB), joined and verified once per test session."""
    directory = tmp_path_factory.mktemp("models")
    assemble_model(MODEL, directory)
    return directory


@pytest.fixture(scope="module")
def local_llm(models_dir: Path) -> Iterator[LLMHandle]:
    with build_chat_model("local", local_model=MODEL, models_dir=models_dir, max_tokens=12,
                          timeout_s=120, **SERVER_ARGS) as handle:
        yield handle


def test_local_backend_answers(local_llm: LLMHandle) -> None:
    answer = local_llm.chat_model.invoke("Reply with the single word: yes")

    assert answer.content.strip()


def test_local_backend_streams(local_llm: LLMHandle) -> None:
    chunks = [chunk.content for chunk in local_llm.chat_model.stream("Count from 1 to 5.")]

    assert len([c for c in chunks if c]) >= 2


def test_openai_backend_works_with_any_compatible_server(local_llm: LLMHandle) -> None:
    assert isinstance(local_llm.chat_model, ChatOpenAI)
    handle = build_chat_model("openai", base_url=local_llm.chat_model.openai_api_base,
                              api_key="anything", model=MODEL, max_tokens=8)

    assert handle.chat_model.invoke("Reply with the single word: yes").content.strip()


def test_server_serves_its_alias_until_closed(models_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="newsqa.llm"), \
            LocalLlamaServer(models_dir / f"{MODEL}.gguf", alias="test-alias", **SERVER_ARGS) as server:
        models = httpx.get(f"{server.base_url}/v1/models").json()
        assert [m["id"] for m in models["data"]] == ["test-alias"]
    assert "local model test-alias: 1 llama.cpp thread(s)" in caplog.messages

    with pytest.raises(httpx.TransportError):
        httpx.get(f"{server.base_url}/health", timeout=2)


def test_extractive_backend_has_no_model() -> None:
    assert build_chat_model("extractive").chat_model is None


def test_openai_backend_needs_a_model_name() -> None:
    with pytest.raises(ValueError, match="model name"):
        build_chat_model("openai", base_url="http://127.0.0.1:9/v1", api_key="x")


def test_unknown_backend_lists_the_choices() -> None:
    with pytest.raises(ValueError, match="local, openai, extractive"):
        build_chat_model("gpt")
