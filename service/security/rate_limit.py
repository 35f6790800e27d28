"""Token buckets per client, in memory.

Each replica limits on its own: behind a load balancer with N replicas a client gets up to N
times the rate, which is acceptable for protecting one replica's CPU (what the limit is for).
"""

from __future__ import annotations

import threading
import time
from typing import Callable


class RateLimiter:
    """``per_minute`` requests per identity on average, up to ``burst`` at once; 0 disables."""

    def __init__(self, per_minute: float, burst: int, *, max_identities: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_minute / 60.0
        self._burst = float(max(burst, 1))
        self._max_identities = max_identities
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._rate > 0

    @property
    def per_minute(self) -> float:
        return self._rate * 60.0

    def take(self, identity: str) -> float:
        """Spends one token: 0.0 when the request may go on, else the seconds until it may."""
        if not self.enabled:
            return 0.0
        with self._lock:
            now = self._clock()
            tokens = self._tokens(identity, now)
            allowed = tokens >= 1.0
            self._buckets[identity] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > self._max_identities:
                self._forget_full(now)
            return 0.0 if allowed else (1.0 - tokens) / self._rate

    def _tokens(self, identity: str, now: float) -> float:
        tokens, stamp = self._buckets.get(identity, (self._burst, now))
        return min(self._burst, tokens + (now - stamp) * self._rate)

    def _forget_full(self, now: float) -> None:
        """A full bucket is the same as no bucket, so memory stays bounded by active clients."""
        for identity in [i for i in self._buckets if self._tokens(i, now) >= self._burst]:
            del self._buckets[identity]
