"""A bounded queue in front of the language model.

A CPU model generates one or a few answers at a time; requests beyond that would each hold a
worker thread while they wait, and under load they pile up until every client times out.
Here at most ``running`` generate and ``queued`` wait; any further request is turned away at
once with ``ModelBusy`` (503 with ``Retry-After``), so clients back off instead.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator, Sequence

from service.answering.generators import Generator
from service.errors import ModelBusy
from service.retrieval.passages import Passage


class LLMQueue:
    def __init__(self, *, running: int, queued: int, wait_s: float, retry_after_s: int = 5) -> None:
        self._capacity = running + queued
        self._slots = threading.Semaphore(running)
        self._wait_s = wait_s
        self._retry_after_s = retry_after_s
        self._lock = threading.Lock()
        self._admitted = 0
        self._active = 0

    @property
    def running(self) -> int:
        return self._active

    @property
    def waiting(self) -> int:
        return self._admitted - self._active

    def _busy(self, why: str) -> ModelBusy:
        return ModelBusy(f"the language model is busy ({why}); retry in {self._retry_after_s} s",
                         retry_after_s=self._retry_after_s)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Held for a whole generation; waits in line, or fails fast when the line is full."""
        with self._lock:
            if self._admitted >= self._capacity:
                raise self._busy(f"{self._capacity} requests are generating or waiting")
            self._admitted += 1
        try:
            if not self._slots.acquire(timeout=self._wait_s):
                raise self._busy(f"no turn within {self._wait_s:g} s")
            with self._lock:
                self._active += 1
            try:
                yield
            finally:
                with self._lock:
                    self._active -= 1
                self._slots.release()
        finally:
            with self._lock:
                self._admitted -= 1


class QueuedGenerator:
    """A ``Generator`` that holds a queue slot from its first piece of text to its last (or
    until the client goes away and the stream is closed)."""

    def __init__(self, inner: Generator, queue: LLMQueue) -> None:
        self._inner = inner
        self._queue = queue

    def stream(self, question: str, passages: Sequence[Passage], as_of: str | None, *,
               asked: str) -> Iterator[str]:
        with self._queue.slot():
            yield from self._inner.stream(question, passages, as_of, asked=asked)
