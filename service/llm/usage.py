"""What a request cost in tokens, for the ``usage`` of chat completions.

The answer pipeline returns text, not the model's bookkeeping, and may call the model more
than once (a follow-up is rewritten before the answer is written). So the counts are taken
where LangChain reports every call, in a callback on the chat model, and added to the tally
of the request being served: a context variable holds it, and follows the request into
the worker thread that runs it, where the callback runs too.

The extractive backend has no model: it counts with the encoder's tokenizer instead, the
conversation it read and the answer it extracted.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from ingest.chunking import TokenCounter


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "total_tokens": self.prompt_tokens + self.completion_tokens}

    @classmethod
    def counted(cls, count_tokens: TokenCounter, read: Sequence[str], written: str) -> "Usage":
        """The extractive backend's own count: word pieces of what it read and wrote."""
        return cls(sum(count_tokens(list(read))), sum(count_tokens([written])) if written else 0)


_TALLY: ContextVar[Usage | None] = ContextVar("newsqa_usage", default=None)


@contextmanager
def tally() -> Iterator[Usage]:
    """Counts the model calls made inside the block (in this context)."""
    usage = Usage()
    token = _TALLY.set(usage)
    try:
        yield usage
    finally:
        _TALLY.reset(token)


class UsageCallback(BaseCallbackHandler):
    """Adds the token counts the server reported for each call (streamed or not) to the
    current tally; outside a tally it does nothing."""

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        usage = _TALLY.get()
        if usage is None:
            return
        for generations in response.generations:
            for generation in generations:
                counts = getattr(getattr(generation, "message", None), "usage_metadata", None) or {}
                usage.prompt_tokens += counts.get("input_tokens", 0)
                usage.completion_tokens += counts.get("output_tokens", 0)
