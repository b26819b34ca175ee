"""A token-bucket rate limiter keyed by client.

The buckets live in process memory by default (one server process: the embedded store, the
tests), or in a file every worker process of a node maps (``SharedBuckets``), so that the
node's limit holds however many processes ``interlink serve --workers N`` starts."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from interlink.domain.errors import RateLimitedError


class Buckets(Protocol):
    """Where a limiter keeps each key's ``(tokens, last refill time)``."""

    def update(
        self, key: str, change: Callable[[tuple[float, float] | None], tuple[float, float]]
    ) -> tuple[float, float]:
        """Replace ``key``'s bucket by ``change(bucket)`` (``None``: never seen) atomically
        against every other user of these buckets; the new bucket."""
        ...


class LocalBuckets:
    """Buckets in this process's memory (forgotten all at once past ``max_keys`` keys)."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def update(
        self, key: str, change: Callable[[tuple[float, float] | None], tuple[float, float]]
    ) -> tuple[float, float]:
        with self._lock:
            new = change(self._buckets.get(key))
            if len(self._buckets) >= self._max_keys and key not in self._buckets:
                self._buckets.clear()
            self._buckets[key] = new
            return new


class RateLimiter:
    """At most ``burst`` requests at once per key, refilled at ``rate`` per second."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        what: str = "requests",
        clock: Callable[[], float] = time.monotonic,
        buckets: Buckets | None = None,
    ) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._what = what
        self._clock = clock
        self._buckets = buckets if buckets is not None else LocalBuckets()

    def hit(self, key: str) -> None:
        """Take one token for ``key``; ``RateLimitedError`` if its bucket is empty."""
        short: list[float] = []  # the tokens left when there was not one to take

        def take(bucket: tuple[float, float] | None) -> tuple[float, float]:
            # The time is read under the bucket's lock: read before it, a caller that waited
            # would see the bucket written after its time, and take it for a new one.
            now = self._clock()
            if bucket is None or bucket[1] > now:  # never seen, or a clock from before a reboot
                tokens = self._burst
            else:
                tokens = min(self._burst, bucket[0] + (now - bucket[1]) * self._rate)
            if tokens < 1.0:
                short.append(tokens)
                return tokens, now
            return tokens - 1.0, now

        self._buckets.update(key, take)
        if short:
            wait = math.ceil((1.0 - short[0]) / self._rate) if self._rate > 0 else 60
            raise RateLimitedError(self._what, wait)
