"""Where a scan's work items run: worker processes, or this process.

This is the scan's executor seam. ``services.scan`` only submits ``services.worker.run_many``
with the runner its options name (``services.worker.run`` by default) and a few ``WorkItem``
to a ``concurrent.futures.Executor`` and reads the ``WorkResult`` from the future; if the
executor breaks (``BrokenExecutor``), the items in flight are retried one by one in
``executor(1)``. Another executor (a Dask client, say) can take the place of ``executor``
without touching the scan.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing.context import ForkServerContext, ForkServerProcess
from typing import Any

#: One thread per numeric library in each worker: the workers are the parallelism.
_WORKER_ENVIRONMENT = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: The start of the name of a worker process that does not import the caller's main module
#: (``services.worker_boot``).
LEAN_WORKER = "interlink-worker"
#: Items a local worker process is handed at once: each hand-over costs the coordinating
#: process about 0.05 ms of CPU and two or three thread wake-ups, per task and not per item.
CHUNK_ITEMS = 8
#: And at most about this many bytes of evidence in one task: a large file's analysis dwarfs
#: a round trip, so large files go (nearly) one at a time and progress stays fine-grained.
CHUNK_BYTES = 4 << 20

#: How much lower than this process's the CPU priority of the worker processes it starts is
#: (``lower_worker_priority``; 0: the same).
_worker_nice = 0


def lower_worker_priority(by: int) -> None:
    """Start worker processes from now on ``by`` nice levels below this process (``interlink
    worker --nice``): the scan's CPU-heavy work yields to a server on the same machine, while
    this process, which holds the database's locks (the audit chain's head among them)
    during its transactions, keeps its priority. Niced, it would make every server request
    waiting for such a lock wait for it to get a core too."""
    global _worker_nice
    _worker_nice = max(0, by)


def _lowered(by: int) -> None:
    """A worker process's initialiser: lower its own priority."""
    os.nice(by)


class InlineExecutor(Executor):
    """Runs each task at once in this process (``workers=0``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


class _LeanProcess(ForkServerProcess):
    """A worker process named so that it skips importing the caller's main module."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name = f"{LEAN_WORKER}-{self.name}"


class _LeanContext(ForkServerContext):
    """The fork server's context, making ``_LeanProcess`` processes."""

    Process = _LeanProcess


def executor(workers: int, *, main: bool = False) -> Executor:
    """``workers`` worker processes (a fork server's children), or this process for 0.

    The processes start at once in the background: the fork server first imports what workers
    run (``interlink.services.worker_boot``), which takes a while, and the caller goes on
    preparing meanwhile; its first ``submit`` waits for them only if they are not ready yet.
    Workers import the caller's main module only with ``main`` (for work defined there).
    """
    if workers <= 0:
        return InlineExecutor()
    # The fork server inherits this process's environment when it starts and imports NumPy
    # after that, so the limits must be in the environment first (an operator's own setting
    # wins).
    for name, value in _WORKER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    context = multiprocessing.get_context("forkserver") if main else _LeanContext()
    # The fork server imports what workers run; its children skip the caller's main module
    # unless they are told otherwise (``services.worker_boot``).
    context.set_forkserver_preload(["interlink.services.worker_boot"])
    if _worker_nice:
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_lowered, initargs=(_worker_nice,)
        )
    else:
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


def batching(pool: Executor, workers: int) -> tuple[int, int]:
    """How a scan hands items to ``pool``: how many in one task (``CHUNK_ITEMS`` to local
    worker processes, else one), and how many tasks it keeps submitted (two per local worker,
    so that each has its next task queued; else ``in_flight``)."""
    if isinstance(pool, ProcessPoolExecutor) and getattr(pool, "capacity", None) is None:
        return CHUNK_ITEMS, 2 * max(1, workers)
    return 1, in_flight(pool, workers)
