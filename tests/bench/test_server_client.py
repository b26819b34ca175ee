"""The load benchmark's client side: the event-loop lag probe that tells a CPU-starved load
generator apart from a slow server."""

from __future__ import annotations

import asyncio
import time

from bench.server_client import LoopLag


def test_the_loop_lag_probe_samples_until_its_end() -> None:
    lag = LoopLag(interval=0.001)
    asyncio.run(lag.run(time.monotonic() + 0.05))
    found = lag.summary()
    assert found["samples"] == len(lag.samples) > 0
    assert 0 <= found["p50_ms"] <= found["p99_ms"] <= found["max_ms"]


def test_a_probe_that_never_ran_says_so() -> None:
    assert LoopLag().summary() == {"samples": 0}
