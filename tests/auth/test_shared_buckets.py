"""Rate-limit buckets in a file the node's processes share: one limit however many processes
and threads take from it."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from interlink.auth.ratelimit import RateLimiter
from interlink.auth.shared_buckets import SharedBuckets
from interlink.domain.errors import RateLimitedError


def _taken(path: Path, tries: int) -> int:
    """Tokens taken from key ``k`` of the buckets in ``path`` in ``tries`` tries (no refill)."""
    limiter = RateLimiter(0.0, 50, buckets=SharedBuckets(path))
    taken = 0
    for _ in range(tries):
        try:
            limiter.hit("k")
            taken += 1
        except RateLimitedError:
            pass
    return taken


def test_processes_share_one_limit(tmp_path: Path) -> None:
    path = tmp_path / "run" / "requests.buckets"
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        taken = pool.starmap(_taken, [(path, 40)] * 3)
    assert sum(taken) == 50
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "run").stat().st_mode & 0o777 == 0o700


def test_threads_of_one_process_share_one_limit(tmp_path: Path) -> None:
    path = tmp_path / "b"
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(_taken(path, 60))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 50


def test_a_new_mapping_sees_the_buckets_left_by_another(tmp_path: Path) -> None:
    first = RateLimiter(0.0, 2, buckets=SharedBuckets(tmp_path / "b"))
    first.hit("a")
    first.hit("a")
    again = RateLimiter(0.0, 2, buckets=SharedBuckets(tmp_path / "b"))
    with pytest.raises(RateLimitedError):
        again.hit("a")
    again.hit("other")


def test_keys_that_share_a_slot_share_a_bucket(tmp_path: Path) -> None:
    limiter = RateLimiter(0.0, 1, buckets=SharedBuckets(tmp_path / "b", slots=1))
    limiter.hit("a")
    with pytest.raises(RateLimitedError):
        limiter.hit("b")  # stricter for both, never looser
