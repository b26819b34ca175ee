"""The scan's worker processes, with a bounded number of items in flight, and recovery from
a worker that dies."""

from __future__ import annotations

import queue
from concurrent.futures import BrokenExecutor, Executor, Future
from typing import TYPE_CHECKING, Any

from interlink.domain.problems import ProblemKind
from interlink.services.executor import CHUNK_BYTES, batching, executor
from interlink.services.progress import Progress
from interlink.services.scan_options import ScanOptions
from interlink.services.scan_record import Pending, record
from interlink.services.scan_writer import BatchWriter
from interlink.services.worker import WorkItem, WorkResult, run_many

if TYPE_CHECKING:  # the indexes load numba: imported only when there is something to match
    from interlink.triage.known import KnownMatcher

_Chunk = list[tuple[WorkItem, Pending]]


class Workers:
    """Worker processes with a bounded number of items in flight.

    Items go to the workers a few at a time (``executor.batching``): one task, one result
    message, for up to ``CHUNK_ITEMS`` files or ``CHUNK_BYTES`` of evidence (a larger file
    goes alone), and at once while fewer tasks than workers are in flight.

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
        self._chunk_items, self._limit = batching(pool, options.workers)
        self._chunk: _Chunk = []
        self._chunk_bytes = 0
        self._in_flight: dict[Future[Any], _Chunk] = {}
        # Futures report themselves here when done, so collecting one costs O(1) whatever
        # the number in flight.
        self._done: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
        self.ingested = 0

    def submit(self, work: WorkItem, pending: Pending) -> None:
        """Hand ``work`` to the workers (with the next ones, when they go a few at a time)."""
        self._chunk.append((work, pending))
        self._chunk_bytes += pending.entry.size
        if (
            len(self._chunk) >= self._chunk_items
            or self._chunk_bytes >= CHUNK_BYTES
            or len(self._in_flight) < self._options.workers  # a worker may be waiting
        ):
            self._submit_chunk()
        self._collect(block=False)

    def _submit_chunk(self) -> None:
        chunk, self._chunk, self._chunk_bytes = self._chunk, [], 0
        items = [work for work, _ in chunk]
        future: Future[Any]
        if self._chunk_items == 1 and len(items) == 1:
            # One item per task (a cluster's executor takes ``runner(item)`` only).
            future = self._pool.submit(self._options.runner, items[0])
        else:
            future = self._pool.submit(run_many, self._options.runner, items)
        self._in_flight[future] = chunk
        future.add_done_callback(self._done.put)
        while len(self._in_flight) >= self._limit:
            self._collect(block=True)

    def drain(self) -> None:
        """Wait for every item handed over, and record them."""
        if self._chunk:
            self._submit_chunk()
        while self._in_flight:
            self._collect(block=True)

    def close(self) -> None:
        """Stop the workers."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _collect(self, *, block: bool) -> None:
        """Finish what is done: at least one task when ``block``."""
        while self._in_flight:
            try:
                future = self._done.get(block=block)
            except queue.Empty:
                return
            chunk = self._in_flight.pop(future, None)
            if chunk is None:
                continue  # from a pool that broke; its items were retried
            try:
                outcome = future.result()
            except BrokenExecutor:
                suspects = [item for waiting in self._in_flight.values() for item in waiting]
                self._recover([*chunk, *suspects])
                return
            results: list[WorkResult] = outcome if isinstance(outcome, list) else [outcome]
            for result, (_, pending) in zip(results, chunk, strict=True):
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

    def _recover(self, suspects: _Chunk) -> None:
        self._in_flight.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        main = from_main(self._options)
        for work, pending in suspects:
            with executor(1, main=main) as alone:
                try:
                    result = alone.submit(self._options.runner, work).result()
                except BrokenExecutor:
                    result = WorkResult(
                        work.key, None, (ProblemKind.CORRUPT, "the analysis crashed on this file")
                    )
            self._finish(result, pending)
        self._pool = executor(self._options.workers, main=main)


def from_main(options: ScanOptions) -> bool:
    """Whether the scan's runner is defined in the main module (workers must import it)."""
    return getattr(options.runner, "__module__", None) == "__main__"
