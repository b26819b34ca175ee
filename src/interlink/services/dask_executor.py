"""The scan's executor seam on a Dask cluster: work items run on ``distributed`` workers.

``DaskExecutor`` is a ``concurrent.futures.Executor`` like the local pool (``services.executor``):
the scan submits ``runner(item)`` one item at a time and reads one ``WorkResult`` per future. Here
the items are gathered into batches (one Dask task runs a batch, amortising the scheduler's
per-task cost), at most ``2 * slots`` batches are on the cluster at once, and a collector thread
takes finished batches from ``distributed.as_completed`` and resolves the items' futures.

Workers open plain files, and the files of disk images (``sources.disk_member``), by the path
the coordinator enumerated (the evidence must be mounted at the same path on every worker,
read-only); items the coordinator spooled to its own temporary folder (large archive members)
are sent as bytes, like small members. A worker that dies takes
its tasks with it: the scheduler runs them again on another worker. The items of a batch the
scheduler gives up on (``KilledWorker``: it killed ``allowed-failures`` workers) become suspects,
run one at a time in a task of their own; one that kills its worker twice so becomes a failed
``WorkResult`` ("the analysis crashed"), exactly as a crash in the local pool does. Only this
module imports Dask.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import CancelledError, Executor, Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from distributed import Client, as_completed
from distributed import Future as DaskFuture
from distributed.scheduler import KilledWorker

from interlink.domain.errors import ConfigurationError
from interlink.domain.problems import ProblemKind
from interlink.services.worker import WorkItem, WorkResult
from interlink.services.worker_memory import keep_freed_memory

#: Items per Dask task: enough to make the scheduler's few hundred microseconds per task small
#: beside the analysis of the files, few enough that a lost worker costs little work again.
BATCH = 16
#: Deaths of workers running an item alone that make it a failed result (the second rules out
#: a worker killed by another task beside it).
DEATHS = 2
#: How long to wait for the scheduler to answer when connecting.
CONNECT_SECONDS = 10.0
#: How long shutting down waits for the batches still on the cluster.
SHUTDOWN_SECONDS = 30.0


_prepared = threading.Event()


def prepare_worker() -> None:
    """Once per Dask worker process, what the local pool's fork server does before it forks
    its workers (``services.worker_boot``): ``malloc`` keeps freed buffers for the next file
    instead of faulting in fresh pages for each, and OpenCV runs on the calling thread (the
    worker processes are the parallelism; OpenCV's own pool in each would contend for the same
    cores)."""
    if _prepared.is_set():
        return
    import cv2

    keep_freed_memory()
    cv2.setNumThreads(1)
    _prepared.set()


def run_batch(runner: Callable[[WorkItem], WorkResult], items: list[WorkItem]) -> list[WorkResult]:
    """What a Dask task runs: ``runner`` on each item, in order (the worker prepared first)."""
    prepare_worker()
    return [runner(item) for item in items]


@dataclass(slots=True)
class _Task:
    item: WorkItem
    future: Future[WorkResult]
    deaths: int = 0  # workers killed while it ran alone


class DaskExecutor(Executor):
    """Runs scan work items on the cluster behind ``client`` (see the module's docstring).

    ``capacity`` is how many items the scan should keep submitted to keep every worker thread
    busy; ``close_client`` closes the client at shutdown (when this executor made it).
    """

    def __init__(self, client: Client, *, batch: int = BATCH, close_client: bool = False) -> None:
        self._client = client
        self._close_client = close_client
        self._batch = max(1, batch)
        self.slots = max(1, sum(client.nthreads().values()))
        self._max_batches = 2 * self.slots
        self.capacity = (self._max_batches + 1) * self._batch
        self._lock = threading.Lock()
        self._waiting: list[tuple[Callable[[WorkItem], WorkResult], _Task]] = []
        self._running: dict[
            DaskFuture[list[WorkResult]], tuple[Callable[[WorkItem], WorkResult], list[_Task]]
        ] = {}
        self._completed = as_completed(loop=client.loop)
        # Items of batches that killed their worker, run one at a time (``_suspect``).
        self._suspects: deque[tuple[Callable[[WorkItem], WorkResult], _Task]] = deque()
        self._suspect: DaskFuture[list[WorkResult]] | None = None
        self._wake = threading.Event()
        self._closed = False
        self._cancelled = False
        self._collector = threading.Thread(target=self._collect, daemon=True)
        self._collector.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Queue ``fn(item)``; ``fn`` must be importable on the workers (a module function)."""
        if kwargs or len(args) != 1 or not isinstance(args[0], WorkItem):
            raise TypeError("a DaskExecutor runs one WorkItem per call")
        future: Future[WorkResult] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit after shutdown")
            self._waiting.append((fn, _Task(_portable(args[0]), future)))
            if len(self._waiting) >= self._batch or len(self._running) < self.slots:
                self._send()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._cancelled = cancel_futures
            self._next_suspect()
            if not cancel_futures:
                while self._waiting:
                    self._send()
            running = list(self._running)
            abandoned = [task for _, task in self._waiting]
            self._waiting = []
        if cancel_futures:
            self._client.cancel(running)
            for task in abandoned:
                task.future.cancel()
        self._wake.set()
        if wait:
            self._collector.join(timeout=SHUTDOWN_SECONDS)
        if self._close_client:
            self._client.close()

    def _send(self) -> None:
        """Send the waiting items as one task (the lock held); a batch runs one runner."""
        runner = self._waiting[0][0]
        same = [task for fn, task in self._waiting if fn is runner]
        self._waiting = [(fn, task) for fn, task in self._waiting if fn is not runner]
        self._launch(runner, same)

    def _launch(
        self, runner: Callable[[WorkItem], WorkResult], tasks: list[_Task]
    ) -> DaskFuture[list[WorkResult]]:
        batch = self._client.submit(run_batch, runner, [t.item for t in tasks], pure=False)
        self._running[batch] = (runner, tasks)
        self._completed.add(batch)
        self._wake.set()
        return batch

    def _collect(self) -> None:
        """Resolve each finished batch's items; send what waits when workers would go idle."""
        while True:
            try:
                batch = next(self._completed)
            except StopIteration:
                with self._lock:
                    if self._closed and not self._running and not self._suspects:
                        return
                self._wake.wait(0.1)
                self._wake.clear()
                continue
            with self._lock:
                runner, tasks = self._running.pop(batch)
            self._resolve(batch, runner, tasks)
            with self._lock:
                if self._waiting and len(self._running) < self.slots and not self._closed:
                    self._send()

    def _resolve(
        self,
        batch: DaskFuture[list[WorkResult]],
        runner: Callable[[WorkItem], WorkResult],
        tasks: list[_Task],
    ) -> None:
        with self._lock:
            alone = self._suspect is batch
            if alone:
                self._suspect = None
        try:
            results = batch.result()
        except KilledWorker:
            with self._lock:
                for task in tasks:
                    task.deaths += int(alone)
                    self._suspects.append((runner, task))
                self._next_suspect()
            return
        except CancelledError:
            results = None
            for task in tasks:
                task.future.cancel()
        except Exception as exc:
            results = None
            for task in tasks:
                task.future.set_exception(exc)
        for task, result in zip(tasks, results or (), strict=False):
            task.future.set_result(result)
        if alone:
            with self._lock:
                self._next_suspect()

    def _next_suspect(self) -> None:
        """Run the next suspect alone (the lock held); one that killed its worker twice alone
        becomes a failed result, as a crash in the local pool does."""
        while self._suspects and self._suspect is None:
            runner, task = self._suspects.popleft()
            if task.deaths >= DEATHS:
                crash = (ProblemKind.CORRUPT, "the analysis crashed on this file")
                task.future.set_result(WorkResult(task.item.key, None, crash))
            elif self._cancelled:
                task.future.cancel()
            else:
                self._suspect = self._launch(runner, [task])


def _portable(item: WorkItem) -> WorkItem:
    """The item as a worker elsewhere can read it: a spooled file goes as its bytes."""
    if item.spooled and item.path is not None:
        return replace(item, data=Path(item.path).read_bytes(), path=None, spooled=False)
    return item


def dask_executor(address: str) -> DaskExecutor:
    """An executor on the Dask scheduler at ``address`` (``tcp://HOST:8786``).

    Raises ``ConfigurationError`` when the scheduler cannot be reached or has no worker.
    """
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ConfigurationError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError):
        client.close()
        raise ConfigurationError(f"the Dask scheduler at {address} has no worker") from None
    return DaskExecutor(client, close_client=True)
