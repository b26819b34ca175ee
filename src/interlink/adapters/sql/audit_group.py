"""Group commit: many threads' items written by one transaction, each thread returning only
once the transaction that carried its item has committed.

There is no background thread. The first caller to arrive while nobody is writing becomes the
leader: it takes every item waiting (its own included, at most ``max_batch``), writes them in
one call of ``write`` and hands each caller its result. Callers arriving meanwhile wait; when
the leader is done, one of them leads the next batch. Under load a batch carries everything
that arrived during the previous write, so the cost of a transaction (the lock of the audit
head, the commit's flush to disk) is paid once per batch instead of once per item, while the
items stay in the order they were written, one after another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Most items one transaction carries.
MAX_BATCH = 1000


@dataclass(slots=True)
class _Waiting(Generic[T, R]):
    item: T
    done: bool = False
    result: Any = None
    error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """Write items through ``write`` (items in, one result per item out, in order), batching
    the items of concurrent callers; see the module docstring."""

    def __init__(
        self, write: Callable[[Sequence[T]], Sequence[R]], *, max_batch: int = MAX_BATCH
    ) -> None:
        self._write = write
        self._max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Waiting[T, R]] = []
        self._writing = False
        #: Batches written and items carried, for tests and benchmarks.
        self.batches = 0
        self.items = 0

    def submit(self, item: T) -> R:
        """Write ``item`` and return its result once it is durable; raise what the write raised
        if it failed."""
        mine: _Waiting[T, R] = _Waiting(item)
        with self._cond:
            self._queue.append(mine)
        while True:
            with self._cond:
                while not mine.done and self._writing:
                    self._cond.wait()
                if mine.done:
                    return self._outcome(mine)
                self._writing = True
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
            self._lead(batch)

    def _lead(self, batch: list[_Waiting[T, R]]) -> None:
        try:
            results = list(self._write([each.item for each in batch]))
            if len(results) != len(batch):
                raise RuntimeError("the group write returned the wrong number of results")
            error: BaseException | None = None
        except BaseException as exc:  # every caller in the batch must hear of it
            results, error = [], exc
        with self._cond:
            for position, each in enumerate(batch):
                each.done = True
                if error is None:
                    each.result = results[position]
                else:
                    each.error = error
            self.batches += 1
            self.items += len(batch)
            self._writing = False
            self._cond.notify_all()

    @staticmethod
    def _outcome(waiting: _Waiting[T, R]) -> R:
        if waiting.error is not None:
            raise waiting.error
        result: R = waiting.result
        return result
