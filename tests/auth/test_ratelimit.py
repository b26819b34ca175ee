"""The token-bucket limiter: a burst, then refusals naming the wait, then a refill."""

from __future__ import annotations

import pytest

from interlink.auth.ratelimit import LocalBuckets, RateLimiter
from interlink.domain.errors import RateLimitedError


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_a_refusal_with_the_wait_then_a_refill() -> None:
    clock = _Clock()
    limiter = RateLimiter(0.5, 3, what="tries", clock=clock)
    for _ in range(3):
        limiter.hit("a")
    with pytest.raises(RateLimitedError) as refused:
        limiter.hit("a")
    assert refused.value.retry_after == 2  # one token at 0.5 a second
    limiter.hit("b")  # another key has its own bucket
    clock.now += 2.0
    limiter.hit("a")
    with pytest.raises(RateLimitedError):
        limiter.hit("a")


def test_refusals_do_not_take_tokens() -> None:
    clock = _Clock()
    limiter = RateLimiter(1.0, 1, clock=clock)
    limiter.hit("a")
    for _ in range(5):
        clock.now += 0.1
        with pytest.raises(RateLimitedError):
            limiter.hit("a")
    clock.now += 0.5  # 1 s since the last token was taken
    limiter.hit("a")


def test_a_bucket_from_a_later_clock_is_new() -> None:
    """After a reboot the monotonic clock starts again below the stored times."""
    clock = _Clock()
    buckets = LocalBuckets()
    limiter = RateLimiter(0.0, 1, clock=clock, buckets=buckets)
    limiter.hit("a")
    with pytest.raises(RateLimitedError):
        limiter.hit("a")
    clock.now = 5.0
    limiter.hit("a")


def test_local_buckets_forget_everything_past_their_key_limit() -> None:
    limiter = RateLimiter(0.0, 1, buckets=LocalBuckets(max_keys=2))
    limiter.hit("a")
    limiter.hit("b")
    limiter.hit("c")  # a third key: the table is cleared
    limiter.hit("a")
