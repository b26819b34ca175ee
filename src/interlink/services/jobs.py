"""Background jobs: submit a scan of a server-side evidence path, watch it, cancel it, and the
body a worker runs for each job.

Every function takes plain arguments (the agency id and the actor as a string) so each face
(the CLI, the API) wraps them without knowing a queue exists. Reads are scoped to the agency in
the query: another agency's job is "not found". Submissions, cancellations and outcomes are
audited.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import (
    InterlinkError,
    InvalidFieldError,
    JobCancelledError,
    NotFoundError,
    StoreError,
)
from interlink.domain.jobs import SCAN, Job, JobState
from interlink.job_queue import JobHandler, JobQueue
from interlink.services.evidence import allowed_evidence_path
from interlink.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobPage:
    """One page of an agency's jobs, newest first; ``next_cursor`` fetches the next page
    (``None``: this was the last)."""

    jobs: tuple[Job, ...]
    next_cursor: str | None


def job_id(value: uuid.UUID | str) -> uuid.UUID:
    """A job id from its text (``InvalidFieldError`` if it is not a UUID)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidFieldError("job id", value, "not a UUID") from None


def submit_scan(
    store: SqlStore,
    queue: JobQueue,
    *,
    agency_id: uuid.UUID,
    actor: str,
    path: str,
    case: str,
    roots: Sequence[Path],
    exhibit: str | None = None,
    lists: Sequence[str] | None = None,
) -> Job:
    """Queue a scan of the server-side evidence ``path`` into ``case`` for ``agency_id``.

    ``path`` must lie under one of ``roots`` (``Settings.evidence_roots``): see
    ``allowed_evidence_path`` for what is refused and with which error. The job is stored and
    audited first, then handed to ``queue``.
    """
    real = allowed_evidence_path(path, roots)
    if not case.strip():
        raise InvalidFieldError("case", case, "must not be empty")
    arguments: dict[str, Any] = {
        "path": str(real),
        "case": case,
        "exhibit": exhibit,
        "lists": list(lists) if lists else None,
    }
    with store.transaction() as tx:
        job = store.jobs.add(
            tx, kind=SCAN, agency_id=agency_id, submitted_by=actor, arguments=arguments
        )
        store.audit.append(
            tx,
            actor=actor,
            action="job.submit",
            object_type="job",
            object_id=str(job.id),
            after={"kind": SCAN, "agency": str(agency_id), **arguments},
        )
    try:
        ref = queue.enqueue(job.id)
    except Exception as exc:  # the queue is down: the job must not look as if it will run
        _finish(store, job.id, JobState.FAILED, None, f"could not be queued: {exc}")
        raise StoreError(f"job {job.id} could not be queued: {exc}") from exc
    if ref is not None:
        store.jobs.set_queue_ref(job.id, ref)
    return job


def get_job(store: SqlStore, job: uuid.UUID | str, *, agency_id: uuid.UUID) -> Job:
    """The job, if it is ``agency_id``'s (else ``NotFoundError``)."""
    return store.jobs.get(job_id(job), agency_id)


def list_jobs(
    store: SqlStore,
    *,
    agency_id: uuid.UUID,
    limit: int = 50,
    cursor: str | None = None,
    state: str | None = None,
    case: str | None = None,
) -> JobPage:
    """``agency_id``'s jobs, newest first, ``limit`` (1-500) at a time from ``cursor``
    (the previous page's ``next_cursor``), optionally only those in ``state`` or into
    ``case``."""
    if not 1 <= limit <= 500:
        raise InvalidFieldError("limit", str(limit), "must be from 1 to 500")
    wanted = None
    if state is not None:
        try:
            wanted = JobState(state)
        except ValueError:
            raise InvalidFieldError("state", state, "not a job state") from None
    found = store.jobs.page(
        agency_id, limit=limit + 1, after=_cursor(cursor), state=wanted, case=case
    )
    page = tuple(found[:limit])
    more = len(found) > limit
    last = page[-1] if page else None
    next_cursor = f"{last.submitted_at.isoformat()}_{last.id}" if more and last else None
    return JobPage(page, next_cursor)


def _cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if cursor is None:
        return None
    try:
        at, _, last = cursor.rpartition("_")
        return datetime.fromisoformat(at), uuid.UUID(last)
    except ValueError:
        raise InvalidFieldError("cursor", cursor, "not a cursor this listing gave") from None


def cancel_job(
    store: SqlStore,
    queue: JobQueue,
    job: uuid.UUID | str,
    *,
    agency_id: uuid.UUID,
    actor: str,
) -> Job:
    """Cancel ``agency_id``'s job: a queued one at once, a running one as soon as its worker
    notices (``cancelling``, then ``cancelled``). A final job cannot be cancelled
    (``TransitionError``)."""
    wanted = job_id(job)
    with store.transaction() as tx:
        before = store.jobs.get(wanted, agency_id)
        after = store.jobs.cancel(tx, wanted, agency_id)
        store.audit.append(
            tx,
            actor=actor,
            action="job.cancel",
            object_type="job",
            object_id=str(wanted),
            before={"state": before.state.value},
            after={"state": after.state.value},
        )
    ref = store.jobs.queue_ref(wanted)
    if after.state is JobState.CANCELLED and ref is not None:
        queue.withdraw(ref)
    return after


class _JobProgress:
    """Progress of a running job, written to its row at most every ``every`` seconds; reading
    the row back is how a running job learns it was asked to stop."""

    def __init__(self, store: SqlStore, job: uuid.UUID, every: float = 0.5) -> None:
        self._store = store
        self._job = job
        self._every = every
        self._done = 0
        self._total = 0
        self._since = time.monotonic()

    def grow(self, items: int) -> None:
        self._total += items
        self._maybe_flush()

    def advance(self, items: int = 1) -> None:
        self._done += items
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if time.monotonic() - self._since >= self._every:
            self.flush()

    def flush(self) -> None:
        self._since = time.monotonic()
        self._total = max(self._total, self._done)
        state = self._store.jobs.progress(self._job, self._done, self._total)
        if state is JobState.CANCELLING:
            raise JobCancelledError(str(self._job))


def run_job(store: SqlStore, settings: Settings, job: uuid.UUID) -> None:
    """Run one job to a final state (what a worker does with each job it takes).

    A job cancelled before it starts is not run. A job started again after its worker died
    resumes (a scan skips what it recorded). Its outcome (``done`` with the result, ``failed``
    with the problem, or ``cancelled``) is stored and audited; a failure of the job never
    raises, so the worker goes on with the next.
    """
    started = store.jobs.start(job)
    if started is None:
        return
    progress = _JobProgress(store, job)
    result: dict[str, Any] | None = None
    problem: str | None = None
    try:
        result = _run_scan(store, settings, started, progress)
        state = JobState.DONE
        progress.flush()
    except JobCancelledError:
        state, problem = JobState.CANCELLED, "cancelled on request"
    except InterlinkError as exc:
        state, problem = JobState.FAILED, str(exc)
    except Exception as exc:  # the worker survives a job's unexpected failure
        log.exception("job %s failed", job)
        state, problem = JobState.FAILED, f"unexpected {type(exc).__name__}: {exc}"
    _finish(store, job, state, result, problem)


def _finish(
    store: SqlStore,
    job: uuid.UUID,
    state: JobState,
    result: dict[str, Any] | None,
    problem: str | None,
) -> None:
    with store.transaction() as tx:
        store.jobs.finish(tx, job, state, result=result, problem=problem)
        store.audit.append(
            tx,
            actor="worker",
            action=f"job.{state.value}",
            object_type="job",
            object_id=str(job),
            after={"state": state.value, "problem": problem},
        )


def _run_scan(
    store: SqlStore, settings: Settings, job: Job, progress: _JobProgress
) -> dict[str, Any]:
    from interlink.services.scan import ScanOptions, scan_exhibit

    if job.kind != SCAN:
        raise InvalidFieldError("job kind", job.kind, "no worker runs this kind of job")
    arguments = job.arguments
    # Checked again: the roots, or a link on the path, may have changed since submission.
    path = allowed_evidence_path(str(arguments["path"]), settings.evidence_roots)
    found = store.cases.agencies([job.agency_id])
    if not found:
        raise NotFoundError("agency", str(job.agency_id))
    lists = arguments.get("lists")
    options = ScanOptions(
        workers=settings.workers,
        lists=tuple(lists) if lists else None,
        index_cache=settings.home / "indexes",
        cluster=settings.dask_scheduler,
    )
    scanned = scan_exhibit(
        store,
        path,
        case=str(arguments["case"]),
        exhibit=arguments.get("exhibit"),
        options=options,
        progress=progress,
        actor=job.submitted_by,
        agency=found[0],
    )
    return scanned.to_json()


def job_handler(store: SqlStore, settings: Settings) -> JobHandler:
    """What ``interlink worker`` hands its queue: run the job, then sign an audit checkpoint
    if one is due (the worker creates the node key on first use)."""
    from interlink.domain.errors import AuditKeyError
    from interlink.services.audit import checkpoint_if_due

    def handle(job: uuid.UUID) -> None:
        run_job(store, settings, job)
        try:
            checkpoint_if_due(store, settings, create_key=True)
        except AuditKeyError as exc:
            log.warning("no audit checkpoint signed: %s", exc)

    return handle
