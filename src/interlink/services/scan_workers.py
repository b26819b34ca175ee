"""The scan's worker processes, with a bounded number of items in flight, and recovery from
a worker that dies."""

from __future__ import annotations

import queue
from concurrent.futures import BrokenExecutor, Executor, Future
from typing import TYPE_CHECKING

from interlink.domain.problems import ProblemKind
from interlink.services.executor import executor, in_flight
from interlink.services.progress import Progress
from interlink.services.scan_options import ScanOptions
from interlink.services.scan_record import Pending, record
from interlink.services.scan_writer import BatchWriter
from interlink.services.worker import WorkItem, WorkResult

if TYPE_CHECKING:  # the indexes load numba: imported only when there is something to match
    from interlink.triage.known import KnownMatcher


class Workers:
    """Worker processes with a bounded number of items in flight.

    If a worker dies (a decoder crashing on hostile input kills the whole pool), the items
    that were in flight are retried one at a time in a fresh process: the one that kills it
    again becomes a problem, the others are ingested, and the scan goes on.

    Carved items are held back until everything else is recorded (``record_carved``): one
    whose content equals a file the exhibit holds (``seen``: SHA-256 of what it has, grown as
    items are recorded) is the same evidence found again and is not recorded twice.
    """

    def __init__(
        self,
        options: ScanOptions,
        matcher: KnownMatcher | None,
        writer: BatchWriter,
        progress: Progress,
        pool: Executor,
        seen: set[str],
    ) -> None:
        self._options = options
        self._seen = seen
        self._carved: list[tuple[WorkResult, Pending]] = []
        self._matcher = matcher
        self._writer = writer
        self._progress = progress
        self._pool = pool
        self._limit = in_flight(pool, options.workers)
        self._in_flight: dict[Future[WorkResult], tuple[WorkItem, Pending]] = {}
        # Futures report themselves here when done, so collecting one costs O(1) whatever
        # the number in flight.
        self._done: queue.SimpleQueue[Future[WorkResult]] = queue.SimpleQueue()
        self.ingested = 0

    def submit(self, work: WorkItem, pending: Pending) -> None:
        future = self._pool.submit(self._options.runner, work)
        self._in_flight[future] = (work, pending)
        future.add_done_callback(self._done.put)
        while len(self._in_flight) >= self._limit:
            self._collect(block=True)
        self._collect(block=False)

    def drain(self) -> None:
        while self._in_flight:
            self._collect(block=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _collect(self, *, block: bool) -> None:
        """Finish what is done: at least one item when ``block``."""
        while self._in_flight:
            try:
                future = self._done.get(block=block)
            except queue.Empty:
                return
            entry = self._in_flight.pop(future, None)
            if entry is None:
                continue  # from a pool that broke; its items were retried
            work, pending = entry
            try:
                result = future.result()
            except BrokenExecutor:
                self._recover([(work, pending), *self._in_flight.values()])
                return
            self._finish(result, pending)
            block = False

    def record_carved(self) -> None:
        """Record the carved items held back, but none whose content the exhibit holds."""
        for result, pending in self._carved:
            analysis = result.analysis
            if analysis is not None and analysis.sha256 in self._seen:
                continue
            self.ingested += record(result, pending, self._matcher, self._writer)
        self._carved.clear()

    def _finish(self, result: WorkResult, pending: Pending) -> None:
        if pending.temp is not None:
            pending.temp.unlink(missing_ok=True)
        self._progress.advance()
        if pending.entry.ref.layers and pending.entry.ref.layers[-1].kind == "carved":
            self._carved.append((result, pending))
            return
        if result.analysis is not None:
            self._seen.add(result.analysis.sha256)
        self.ingested += record(result, pending, self._matcher, self._writer)

    def _recover(self, suspects: list[tuple[WorkItem, Pending]]) -> None:
        self._in_flight.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for work, pending in suspects:
            with executor(1) as alone:
                try:
                    result = alone.submit(self._options.runner, work).result()
                except BrokenExecutor:
                    result = WorkResult(
                        work.key, None, (ProblemKind.CORRUPT, "the analysis crashed on this file")
                    )
            self._finish(result, pending)
        self._pool = executor(self._options.workers)
