"""The queue port: what runs jobs in the background, survives restarts, and resumes them.

Two adapters: ``adapters/jobs_local.py`` (the embedded SQLite store: the ``jobs`` table is the
queue and one worker process runs it) and ``adapters/jobs_procrastinate.py`` (PostgreSQL:
procrastinate's queue, any number of workers). Either way the ``jobs`` table holds what users
see; the queue only decides which worker runs which job when.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol

#: What a worker does with a job: run it to a final state (it must not raise for a job's own
#: failure; an exception means the worker itself is going down).
JobHandler = Callable[[uuid.UUID], None]


class JobQueue(Protocol):
    """Hands queued jobs to workers."""

    def enqueue(self, job_id: uuid.UUID) -> str | None:
        """Make a (committed, queued) job known to the queue; return the queue's own id for
        it, if it has one."""
        ...

    def withdraw(self, queue_ref: str) -> None:
        """Take a job that no worker has started out of the queue (best effort: a job that
        has started sees its cancellation in the ``jobs`` table)."""
        ...

    def work(self, handler: JobHandler, *, once: bool = False) -> None:
        """Run jobs with ``handler`` until stopped (``once``: until the queue is empty),
        first taking back the jobs a dead worker left half done."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
