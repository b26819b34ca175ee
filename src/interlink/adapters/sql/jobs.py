"""The ``jobs`` table: what users see of background jobs, whichever queue runs them.

Every read is scoped to an agency in the query itself: a job of another agency is not found.
State changes are conditional updates, so a worker and a user cancelling at the same moment
cannot both win.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select, update

from interlink.adapters.sql.dialect import utc
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import jobs
from interlink.domain.errors import NotFoundError, TransitionError
from interlink.domain.jobs import Job, JobState

_UNFINISHED = (JobState.QUEUED.value, JobState.RUNNING.value, JobState.CANCELLING.value)


def _job(row: Any) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        agency_id=row.agency_id,
        submitted_by=row.submitted_by,
        arguments=dict(row.arguments),
        state=JobState(row.state),
        files_done=int(row.files_done),
        files_total=int(row.files_total),
        result=row.result,
        problem=row.problem,
        attempts=int(row.attempts),
        submitted_at=utc(row.submitted_at) or datetime.now(UTC),
        started_at=utc(row.started_at),
        finished_at=utc(row.finished_at),
        updated_at=utc(row.updated_at) or datetime.now(UTC),
    )


class JobRepository:
    """Jobs in the store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self,
        connection: Connection,
        *,
        kind: str,
        agency_id: uuid.UUID,
        submitted_by: str,
        arguments: dict[str, Any],
    ) -> Job:
        """Queue a new job inside the caller's transaction."""
        now = datetime.now(UTC)
        job_id = uuid.uuid4()
        connection.execute(
            jobs.insert().values(
                id=job_id,
                kind=kind,
                agency_id=agency_id,
                submitted_by=submitted_by,
                arguments=arguments,
                state=JobState.QUEUED.value,
                files_done=0,
                files_total=0,
                attempts=0,
                submitted_at=now,
                updated_at=now,
            )
        )
        return self._get(connection, job_id, None)

    def set_queue_ref(self, job_id: uuid.UUID, ref: str) -> None:
        """Remember the queue's own id for the job (procrastinate's job id)."""
        with self._engine.begin() as connection:
            connection.execute(update(jobs).where(jobs.c.id == job_id).values(queue_ref=ref))

    def queue_ref(self, job_id: uuid.UUID) -> str | None:
        """The queue's own id for the job, if it has one."""
        with reading(self._engine) as connection:
            found = connection.execute(select(jobs.c.queue_ref).where(jobs.c.id == job_id))
            return found.scalar()

    def get(self, job_id: uuid.UUID, agency_id: uuid.UUID | None) -> Job:
        """The job, if it belongs to ``agency_id`` (``None``: any agency, for workers)."""
        with reading(self._engine) as connection:
            return self._get(connection, job_id, agency_id)

    def _get(self, connection: Connection, job_id: uuid.UUID, agency_id: uuid.UUID | None) -> Job:
        query = select(jobs).where(jobs.c.id == job_id)
        if agency_id is not None:
            query = query.where(jobs.c.agency_id == agency_id)
        row = connection.execute(query).first()
        if row is None:
            raise NotFoundError("job", str(job_id))
        return _job(row)

    def page(
        self,
        agency_id: uuid.UUID,
        *,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None = None,
        state: JobState | None = None,
        case: str | None = None,
    ) -> list[Job]:
        """The agency's jobs, newest first, ``limit`` of them, after the cursor position
        ``(submitted_at, id)`` of the last job of the previous page (``case``: only the jobs
        into that case)."""
        query = select(jobs).where(jobs.c.agency_id == agency_id)
        if state is not None:
            query = query.where(jobs.c.state == state.value)
        if case is not None:
            query = query.where(jobs.c.arguments["case"].as_string() == case)
        if after is not None:
            at, last_id = after
            query = query.where(
                or_(
                    jobs.c.submitted_at < at,
                    and_(jobs.c.submitted_at == at, jobs.c.id < last_id),
                )
            )
        query = query.order_by(jobs.c.submitted_at.desc(), jobs.c.id.desc()).limit(limit)
        with reading(self._engine) as connection:
            return [_job(row) for row in connection.execute(query)]

    def next_queued(self) -> uuid.UUID | None:
        """The oldest queued job, if any."""
        with reading(self._engine) as connection:
            found = connection.execute(
                select(jobs.c.id)
                .where(jobs.c.state == JobState.QUEUED.value)
                .order_by(jobs.c.submitted_at, jobs.c.id)
                .limit(1)
            ).scalar()
        return found

    def start(self, job_id: uuid.UUID) -> Job | None:
        """Mark a queued job running (or a running one, resumed after its worker died, running
        again); count the attempt. A job cancelled meanwhile is marked cancelled, and ``None``
        returned: there is nothing to run."""
        now = datetime.now(UTC)
        with self._engine.begin() as connection:
            connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.state == JobState.CANCELLING.value)
                .values(state=JobState.CANCELLED.value, finished_at=now, updated_at=now)
            )
            started = connection.execute(
                update(jobs)
                .where(
                    jobs.c.id == job_id,
                    jobs.c.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]),
                )
                .values(
                    state=JobState.RUNNING.value,
                    attempts=jobs.c.attempts + 1,
                    started_at=now,
                    updated_at=now,
                )
            ).rowcount
            return self._get(connection, job_id, None) if started else None

    def progress(self, job_id: uuid.UUID, done: int, total: int) -> JobState:
        """Record how far a running job is; return its state (``cancelling``: stop)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(jobs)
                .where(jobs.c.id == job_id)
                .values(files_done=done, files_total=total, updated_at=datetime.now(UTC))
            )
            state = connection.execute(select(jobs.c.state).where(jobs.c.id == job_id)).scalar()
        return JobState(str(state))

    def finish(
        self,
        connection: Connection,
        job_id: uuid.UUID,
        state: JobState,
        *,
        result: dict[str, Any] | None = None,
        problem: str | None = None,
    ) -> None:
        """Mark a job that is not final yet final, inside the caller's transaction."""
        now = datetime.now(UTC)
        connection.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state.in_(_UNFINISHED))
            .values(
                state=state.value, result=result, problem=problem, finished_at=now, updated_at=now
            )
        )

    def cancel(self, connection: Connection, job_id: uuid.UUID, agency_id: uuid.UUID) -> Job:
        """Cancel a queued job at once, or ask a running one to stop (``cancelling``); a final
        job cannot be cancelled. Returns the job as it now is."""
        job = self._get(connection, job_id, agency_id)
        now = datetime.now(UTC)
        if job.state is JobState.QUEUED:
            wanted, values = JobState.CANCELLED, {"finished_at": now}
        elif job.state is JobState.RUNNING:
            wanted, values = JobState.CANCELLING, {}
        elif job.state is JobState.CANCELLING:
            return job
        else:
            raise TransitionError("job", job.state.value, JobState.CANCELLED.value)
        changed = connection.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.state == job.state.value)
            .values(state=wanted.value, updated_at=now, **values)
        ).rowcount
        if not changed:  # the worker moved it meanwhile: decide again on what it is now
            return self.cancel(connection, job_id, agency_id)
        return self._get(connection, job_id, agency_id)

    def requeue_active(self) -> list[uuid.UUID]:
        """Put back in the queue the jobs left running by a worker that died (a job asked to
        stop is cancelled instead); return the requeued ids. Only for a queue with one
        worker, which calls it when it starts."""
        now = datetime.now(UTC)
        with self._engine.begin() as connection:
            connection.execute(
                update(jobs)
                .where(jobs.c.state == JobState.CANCELLING.value)
                .values(state=JobState.CANCELLED.value, finished_at=now, updated_at=now)
            )
            ids = list(
                connection.execute(
                    select(jobs.c.id).where(jobs.c.state == JobState.RUNNING.value)
                ).scalars()
            )
            connection.execute(
                update(jobs)
                .where(jobs.c.id.in_(ids))
                .values(state=JobState.QUEUED.value, updated_at=now)
            )
        return ids
