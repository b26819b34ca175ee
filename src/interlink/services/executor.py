"""Where a scan's work items run: worker processes, or this process.

This is the scan's executor seam. ``services.scan`` only submits ``services.worker.run`` (or the
runner its options name) with one ``WorkItem`` to a ``concurrent.futures.Executor`` and reads
the ``WorkResult`` from the future; if the executor breaks (``BrokenExecutor``), the items in
flight are retried one by one in ``executor(1)``. Another executor (a Dask client, say) can take
the place of ``executor`` without touching the scan.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

#: One thread per numeric library in each worker: the workers are the parallelism.
_WORKER_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class InlineExecutor(Executor):
    """Runs each task at once in this process (``workers=0``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def executor(workers: int) -> Executor:
    """``workers`` worker processes (a fork server's children), or this process for 0.

    The processes start at once in the background: the fork server first imports what workers
    run (``interlink.services.worker``), which takes a while, and the caller goes on preparing
    meanwhile; its first ``submit`` waits for them only if they are not ready yet.
    """
    if workers <= 0:
        return InlineExecutor()
    # The fork server inherits this process's environment when it starts and imports NumPy
    # after that, so the limits must be in the environment first (an operator's own setting
    # wins).
    for name, value in _WORKER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    context = multiprocessing.get_context("forkserver")
    # The fork server imports what workers run, and its children skip the caller's main module
    # (``services.worker_boot``).
    context.set_forkserver_preload(["interlink.services.worker_boot"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    threading.Thread(target=_start, args=(pool, workers), daemon=True).start()
    return pool


def _start(pool: ProcessPoolExecutor, workers: int) -> None:
    """Submit one empty task per worker, which makes the pool start its processes now."""
    try:
        for _ in range(workers):
            pool.submit(_ready)
    except RuntimeError:
        return  # shut down (or broken) before every worker started: nothing left to start


def _ready() -> None:
    """A task that does nothing."""


def in_flight(pool: Executor, workers: int) -> int:
    """How many items a scan keeps submitted to ``pool``: the ``capacity`` it states (a
    cluster's executor does), else four per local worker."""
    capacity = getattr(pool, "capacity", None)
    return capacity if isinstance(capacity, int) and capacity > 0 else max(1, workers) * 4
