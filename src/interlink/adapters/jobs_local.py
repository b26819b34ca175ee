"""The embedded store's queue: the ``jobs`` table itself, run by one worker process.

One worker per SQLite store, enforced by an exclusive lock on a file beside the database, so a
job found ``running`` when the worker starts was left by a worker that died: it is queued
again and resumes (scans skip what they recorded).
"""

from __future__ import annotations

import fcntl
import os
import time
import uuid
from pathlib import Path

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import ConfigurationError, WorkerBusyError
from interlink.job_queue import JobHandler


def worker_lock_path(store: SqlStore) -> Path:
    """The lock file of the store's one worker (beside the database file)."""
    database = store.engine.url.database
    if not database or database == ":memory:":
        raise ConfigurationError("an in-memory store has no job worker; use a database file")
    return Path(f"{database}.worker-lock")


class LocalQueue:
    """Jobs of an SQLite store, polled from the ``jobs`` table by its one worker."""

    def __init__(self, store: SqlStore, *, poll_seconds: float = 1.0) -> None:
        self._store = store
        self._poll = poll_seconds

    def enqueue(self, job_id: uuid.UUID) -> str | None:
        """Nothing to do: a queued row in ``jobs`` is the queue entry."""
        return None

    def withdraw(self, queue_ref: str) -> None:
        """Nothing to do: a cancelled row is never picked."""

    def work(self, handler: JobHandler, *, once: bool = False) -> None:
        """Hold the worker lock, requeue what a dead worker left running, then run queued jobs
        oldest first until stopped (``once``: until none is left)."""
        path = worker_lock_path(self._store)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WorkerBusyError(
                    f"another worker already runs the jobs of this store (lock {path})"
                ) from None
            self._store.jobs.requeue_active()
            while True:
                job_id = self._store.jobs.next_queued()
                if job_id is not None:
                    handler(job_id)
                elif once:
                    return
                else:
                    time.sleep(self._poll)
        finally:
            os.close(handle)  # releases the lock

    def close(self) -> None:
        """Nothing held between calls."""
