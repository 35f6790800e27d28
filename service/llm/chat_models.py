"""Build the chat model for a backend name from plain arguments.

Every LLM backend is reached through ``ChatOpenAI``: the local one is a llama.cpp server
started here, ``openai`` is any OpenAI-compatible server. ``extractive`` means no LLM at all.
The result is an ``LLMHandle`` because the local backend owns a server that must live exactly
as long as the chat model is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI

from service.llm.local_server import LocalLlamaServer
from service.llm.model_files import assemble_model
from service.llm.usage import UsageCallback

BACKENDS = ("local", "openai", "extractive")


def _nothing_to_close() -> None:
    """Remote and extractive backends hold no resources."""


@dataclass
class LLMHandle:
    """A chat model (``None`` for extractive) and the function releasing what backs it."""

    chat_model: BaseChatModel | None
    close: Callable[[], None] = field(default=_nothing_to_close)

    def __enter__(self) -> LLMHandle:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def build_chat_model(backend: str, *, local_model: str = "qwen2.5-coder-1.5b",
                     models_dir: Path = Path("data/models"), n_ctx: int = 4096,
                     n_parallel: int = 1, threads: int | None = None,
                     base_url: str | None = None, api_key: str | None = None,
                     model: str | None = None, max_tokens: int = 512,
                     timeout_s: float = 120.0, max_retries: int = 1) -> LLMHandle:
    """Return the chat model of ``backend``: ``local``, ``openai`` or ``extractive``.

    ``local`` uses ``local_model``, ``models_dir``, ``n_ctx``, ``n_parallel`` and ``threads``
    (default: the free cores); ``openai`` uses ``base_url`` (default: OpenAI's),
    ``api_key`` (default: ``OPENAI_API_KEY``) and ``model``. Answers are deterministic
    (temperature 0) so evaluation runs are comparable.
    """
    if backend == "local":
        return _local(local_model, models_dir, n_ctx, n_parallel, threads, max_tokens,
                      timeout_s, max_retries)
    if backend == "openai":
        if not model:
            raise ValueError("the openai backend needs a model name")
        return LLMHandle(_chat_openai(base_url, api_key, model, max_tokens, timeout_s,
                                      max_retries))
    if backend == "extractive":
        return LLMHandle(None)
    raise ValueError(f"unknown LLM backend {backend!r}; choose one of: {', '.join(BACKENDS)}")


def _local(name: str, models_dir: Path, n_ctx: int, n_parallel: int, threads: int | None,
           max_tokens: int, timeout_s: float, max_retries: int) -> LLMHandle:
    """Verify the packaged model, serve it on 127.0.0.1 and point ``ChatOpenAI`` at it."""
    path = assemble_model(name, models_dir)
    server = LocalLlamaServer(path, alias=name, n_ctx=n_ctx, n_parallel=n_parallel,
                              threads=threads)
    chat = _chat_openai(f"{server.base_url}/v1", "local", name, max_tokens, timeout_s,
                        max_retries)
    return LLMHandle(chat, server.close)


def _chat_openai(base_url: str | None, api_key: str | None, model: str, max_tokens: int,
                 timeout_s: float, max_retries: int) -> ChatOpenAI:
    """Omitted ``base_url``/``api_key`` stay unset so ChatOpenAI reads its usual environment
    variables (``OPENAI_API_BASE``/``OPENAI_BASE_URL``, ``OPENAI_API_KEY``) instead of being
    forced to None. Streamed answers ask for the token counts too, which the callback adds
    to the request's usage."""
    connection = {key: value for key, value in (("base_url", base_url), ("api_key", api_key))
                  if value is not None}
    return ChatOpenAI(model=model, temperature=0, max_tokens=max_tokens, timeout=timeout_s,
                      max_retries=max_retries, stream_usage=True, callbacks=[UsageCallback()],
                      **connection)
