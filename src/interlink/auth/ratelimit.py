"""A token-bucket rate limiter keyed by client (in process memory: each server worker keeps
its own buckets, so a node's limit is per worker)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from interlink.domain.errors import RateLimitedError


class RateLimiter:
    """At most ``burst`` requests at once per key, refilled at ``rate`` per second."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        what: str = "requests",
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._what = what
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Take one token for ``key``; ``RateLimitedError`` if its bucket is empty."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self._rate) if self._rate > 0 else 60
                raise RateLimitedError(self._what, wait)
            if len(self._buckets) >= self._max_keys and key not in self._buckets:
                self._buckets.clear()
            self._buckets[key] = (tokens - 1.0, now)
