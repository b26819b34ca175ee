"""PostgreSQL's queue: procrastinate, over the same database (its schema comes with migration
0008), any number of ``interlink worker`` processes.

One procrastinate task, ``interlink.run_job``, carries our job id; the ``jobs`` table holds
the rest. Workers send heartbeats; a worker that dies (SIGKILL, a lost machine) leaves its job
``doing`` with a stale heartbeat, and every live worker retries such stalled jobs, so the job
resumes on another worker or on the same one restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from interlink.job_queue import JobHandler

if TYPE_CHECKING:
    import procrastinate

TASK = "interlink.run_job"
QUEUE = "interlink"


def conninfo(database_url: str) -> str:
    """The libpq connection string for an SQLAlchemy PostgreSQL URL (search path kept)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class ProcrastinateQueue:
    """Jobs deferred to, and run from, procrastinate's queue."""

    def __init__(self, database_url: str, *, stalled_seconds: float = 30.0) -> None:
        self._conninfo = conninfo(database_url)
        self._stalled = stalled_seconds
        self._deferrer: procrastinate.App | None = None

    def _app(self, handler: JobHandler | None = None) -> procrastinate.App:
        import procrastinate

        app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=self._conninfo))
        if handler is not None:

            @app.task(name=TASK, queue=QUEUE)
            def run_job(job_id: str) -> None:
                handler(uuid.UUID(job_id))

        return app

    def enqueue(self, job_id: uuid.UUID) -> str | None:
        """Defer ``interlink.run_job`` for the job; return procrastinate's job id."""
        if self._deferrer is None:
            self._deferrer = self._app()
            self._deferrer.open()
        deferred = self._deferrer.configure_task(name=TASK, queue=QUEUE).defer(job_id=str(job_id))
        return str(deferred)

    def withdraw(self, queue_ref: str) -> None:
        """Cancel procrastinate's job if no worker has taken it yet."""
        if self._deferrer is None:
            self._deferrer = self._app()
            self._deferrer.open()
        self._deferrer.job_manager.cancel_job_by_id(int(queue_ref))

    def work(self, handler: JobHandler, *, once: bool = False) -> None:
        """Run a procrastinate worker (one job at a time: a scan uses its own process pool)
        until stopped, retrying stalled jobs every few seconds."""
        app = self._app(handler)

        async def run() -> None:
            async with app.open_async():
                await self._retry_stalled(app)
                retrier = asyncio.create_task(self._keep_retrying(app))
                try:
                    await app.run_worker_async(
                        queues=[QUEUE],
                        wait=not once,
                        concurrency=1,
                        fetch_job_polling_interval=1.0,
                        update_heartbeat_interval=self._stalled / 3,
                        stalled_worker_timeout=self._stalled,
                    )
                finally:
                    retrier.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await retrier

        asyncio.run(run())

    async def _retry_stalled(self, app: procrastinate.App) -> None:
        stalled = await app.job_manager.get_stalled_jobs(
            queue=QUEUE, task_name=TASK, seconds_since_heartbeat=self._stalled
        )
        for job in stalled:
            await app.job_manager.retry_job(job)

    async def _keep_retrying(self, app: procrastinate.App) -> None:
        while True:
            await asyncio.sleep(max(1.0, self._stalled / 3))
            await self._retry_stalled(app)

    def close(self) -> None:
        """Close the deferring connection pool, if one was opened."""
        if self._deferrer is not None:
            self._deferrer.close()
            self._deferrer = None
