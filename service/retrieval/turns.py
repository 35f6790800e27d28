"""First come, first served turns for CPU-bound work shared by request threads."""

from __future__ import annotations

import os
import threading
from collections import deque
from types import TracebackType


class Turns:
    """At most ``n`` holders at once; waiters get their turn in arrival order.

    ``threading.Semaphore`` lets a newly arriving thread take a freed slot before the
    waiter that was woken for it gets the GIL back. Under 16 concurrent searches on 2 cores
    some requests lost that race again and again and waited several times the median. Here
    a leaving holder hands its turn straight to the oldest waiter.
    """

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError("turns need at least one holder")
        self._lock = threading.Lock()
        self._free = n
        self._waiting: deque[threading.Lock] = deque()

    @classmethod
    def per_core(cls, n: int = 0) -> Turns:
        """``n`` holders, or one per core when ``n`` is 0."""
        return cls(n or os.cpu_count() or 1)

    def __enter__(self) -> Turns:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return self
            gate = threading.Lock()
            gate.acquire()
            self._waiting.append(gate)
        gate.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1
