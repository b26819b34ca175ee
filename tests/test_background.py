"""Work handed to a background thread: queued, run in order on one daemon thread started
once, never waited for by the caller; a failure logged and the next call run."""

from __future__ import annotations

import logging
import threading

import pytest

from interlink.background import BackgroundThread


def test_calls_run_in_order_on_one_daemon_thread_without_the_caller_waiting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    worker = BackgroundThread("test-background")
    gate, done = threading.Event(), threading.Event()
    seen: list[tuple[str, int]] = []

    def record(value: int) -> None:
        gate.wait(10)
        seen.append((threading.current_thread().name, value))

    def fail() -> None:
        raise RuntimeError("broken")

    caplog.set_level(logging.ERROR)
    for value in range(3):
        worker.submit(record, value)  # returns at once: the first call is held at the gate
    worker.submit(fail)
    worker.submit(done.set)
    assert seen == []
    gate.set()
    assert done.wait(10)
    assert seen == [("test-background", 0), ("test-background", 1), ("test-background", 2)]
    assert "background work in test-background failed" in caplog.text
    [thread] = [t for t in threading.enumerate() if t.name == "test-background"]
    assert thread.daemon
