"""Group commit: many callers' items written by one transaction, each caller returning only
once the transaction that carried its item has committed.

The first caller to arrive while nobody is writing becomes the leader: it takes every item
waiting (its own included, at most ``max_batch``), writes them in one call of ``write`` and
hands each caller its result. Callers arriving meanwhile wait; when a batch is written and
more items wait, the group's own writer thread writes the next batch (and the next, until none
waits). Under load a batch carries everything that arrived during the previous write, so the
cost of a transaction (the lock of the audit head, the commit's flush to disk) is paid once
per batch instead of once per item, while the items stay in the order they were written, one
after another.

A coroutine submits with ``submit_async``: it waits on its event loop, holding no thread,
until the batch carrying its item has committed (the writer thread writes it).

With ``writers`` above 1, that many batches may be under way at once (each on a connection
of its own): an item that arrives while one is being written starts the next at once instead
of waiting for its commit. Only for writes that do not exclude each other (PostgreSQL's audit
queue: no lock between them); items in different batches may then commit in either order,
while each caller's own items, each waited for, stay in order.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Most items one transaction carries.
MAX_BATCH = 1000


@dataclass(slots=True)
class _Waiting(Generic[T, R]):
    item: T
    #: Called (from the writing thread) once the item is done: wakes its caller.
    wake: Callable[[], None]
    result: Any = None
    error: BaseException | None = None


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class GroupCommit(Generic[T, R]):
    """Write items through ``write`` (items in, one result per item out, in order), batching
    the items of concurrent callers; see the module docstring."""

    def __init__(
        self,
        write: Callable[[Sequence[T]], Sequence[R]],
        *,
        max_batch: int = MAX_BATCH,
        writers: int = 1,
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._writers = writers
        self._lock = threading.Lock()
        self._queue: list[_Waiting[T, R]] = []
        #: Batches under way (at most ``writers``).
        self._writing = 0
        self._executor: ThreadPoolExecutor | None = None
        #: Batches written and items carried, for tests and benchmarks.
        self.batches = 0
        self.items = 0

    def submit(self, item: T) -> R:
        """Write ``item`` and return its result once it is durable; raise what the write raised
        if it failed."""
        # Released by whoever writes the item, once it is done: that wakes this caller alone
        # (a condition shared by every waiting caller woke them all at every commit, and
        # each went back to sleep after taking the interpreter lock to look).
        done = threading.Lock()
        done.acquire()
        mine: _Waiting[T, R] = _Waiting(item, wake=done.release)
        with self._lock:
            self._queue.append(mine)
            lead = self._writing < self._writers
            if lead:
                self._writing += 1
                batch = self._take()
        if lead:
            self._lead(batch)
        done.acquire()
        return self._outcome(mine)

    async def submit_async(self, item: T) -> R:
        """``submit`` for a coroutine: the item is written by the group's writer thread (or
        the batch under way), and the coroutine waits on its loop for the commit."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            try:
                loop.call_soon_threadsafe(_settle, future)
            except RuntimeError:  # the loop is closed: nobody waits any more
                pass

        mine: _Waiting[T, R] = _Waiting(item, wake=wake)
        with self._lock:
            self._queue.append(mine)
            start = self._writing < self._writers
            if start:
                self._writing += 1
        if start:
            self._writer().submit(self._write_next)
        await future
        return self._outcome(mine)

    def _take(self) -> list[_Waiting[T, R]]:
        batch = self._queue[: self._max_batch]
        del self._queue[: self._max_batch]
        return batch

    def _writer(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    self._writers, thread_name_prefix="group-commit"
                )
            return self._executor

    def _write_next(self) -> None:
        with self._lock:
            batch = self._take()
        if batch:
            self._lead(batch)
            return
        with self._lock:  # another writer took them meanwhile
            self._writing -= 1
            more = bool(self._queue) and self._writing < self._writers
            if more:
                self._writing += 1
        if more:
            self._writer().submit(self._write_next)

    def _lead(self, batch: list[_Waiting[T, R]]) -> None:
        try:
            results = list(self._write([each.item for each in batch]))
            if len(results) != len(batch):
                raise RuntimeError("the group write returned the wrong number of results")
            error: BaseException | None = None
        except BaseException as exc:  # every caller in the batch must hear of it
            results, error = [], exc
        with self._lock:
            for position, each in enumerate(batch):
                if error is None:
                    each.result = results[position]
                else:
                    each.error = error
            self.batches += 1
            self.items += len(batch)
            more = bool(self._queue)
            if not more:
                self._writing -= 1
        for each in batch:
            each.wake()
        if more:
            self._writer().submit(self._write_next)

    @staticmethod
    def _outcome(waiting: _Waiting[T, R]) -> R:
        if waiting.error is not None:
            raise waiting.error
        result: R = waiting.result
        return result
