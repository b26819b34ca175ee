"""Job services in one process, on both backends with their real queues."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.bootstrap import open_queue
from interlink.demo.images import encode, scene
from interlink.domain.cases import Agency
from interlink.domain.errors import (
    EvidencePathNotAllowedError,
    InvalidFieldError,
    NotFoundError,
    StoreError,
    TransitionError,
)
from interlink.domain.jobs import JobState
from interlink.job_queue import JobQueue
from interlink.services.cases import acting_agency
from interlink.services.jobs import cancel_job, get_job, list_jobs, run_job, submit_scan
from interlink.settings import Settings


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    roots = tmp_path / "evidence"
    (roots / "ex").mkdir(parents=True)
    for i in range(3):
        (roots / "ex" / f"img{i}.jpg").write_bytes(encode(scene(i), "JPEG"))
    env = {"INTERLINK_EVIDENCE_ROOTS": str(roots), "INTERLINK_WORKERS": "0"}
    return Settings.load(env, home=tmp_path / "home", database_url=store_url)


@pytest.fixture
def queue(settings: Settings, store: SqlStore) -> Iterator[JobQueue]:
    opened = open_queue(settings, store)
    yield opened
    opened.close()


def _agency(store: SqlStore, name: str) -> Agency:
    return acting_agency(store, name, "GB", actor="t")


def _submit(store: SqlStore, queue: JobQueue, settings: Settings, agency: Agency) -> uuid.UUID:
    job = submit_scan(
        store,
        queue,
        agency_id=agency.id,
        actor="examiner",
        path=str(settings.evidence_roots[0] / "ex"),
        case="C",
        roots=settings.evidence_roots,
    )
    assert job.state is JobState.QUEUED
    return job.id


def test_a_job_runs_to_done_and_only_its_agency_sees_it(
    store: SqlStore, queue: JobQueue, settings: Settings
) -> None:
    mine, theirs = _agency(store, "NCA"), _agency(store, "BKA")
    job_id = _submit(store, queue, settings, mine)
    with pytest.raises(NotFoundError):
        get_job(store, job_id, agency_id=theirs.id)
    assert list_jobs(store, agency_id=theirs.id).jobs == ()
    with pytest.raises(NotFoundError):
        cancel_job(store, queue, job_id, agency_id=theirs.id, actor="x")
    run_job(store, settings, job_id)
    done = get_job(store, str(job_id), agency_id=mine.id)
    assert done.state is JobState.DONE and done.attempts == 1
    assert (done.files_done, done.files_total) == (3, 3)
    assert done.result is not None and done.result["summary"]["new_images"] == 3
    actions = [r.action for r in store.audit.records()]
    assert "job.submit" in actions and actions[-1] == "job.done"


def test_listing_pages_newest_first(store: SqlStore, queue: JobQueue, settings: Settings) -> None:
    agency = _agency(store, "NCA")
    ids = [_submit(store, queue, settings, agency) for _ in range(5)]
    first = list_jobs(store, agency_id=agency.id, limit=2)
    second = list_jobs(store, agency_id=agency.id, limit=2, cursor=first.next_cursor)
    third = list_jobs(store, agency_id=agency.id, limit=2, cursor=second.next_cursor)
    seen = [j.id for page in (first, second, third) for j in page.jobs]
    assert seen == ids[::-1] and third.next_cursor is None
    assert len(list_jobs(store, agency_id=agency.id, state="queued").jobs) == 5
    with pytest.raises(InvalidFieldError, match="state"):
        list_jobs(store, agency_id=agency.id, state="sleeping")
    with pytest.raises(InvalidFieldError, match="cursor"):
        list_jobs(store, agency_id=agency.id, cursor="garbage")
    with pytest.raises(InvalidFieldError, match="job id"):
        get_job(store, "not-a-uuid", agency_id=agency.id)


def test_cancelling_queued_running_and_final_jobs(
    store: SqlStore, queue: JobQueue, settings: Settings
) -> None:
    agency = _agency(store, "NCA")
    queued = _submit(store, queue, settings, agency)
    cancelled = cancel_job(store, queue, queued, agency_id=agency.id, actor="examiner")
    assert cancelled.state is JobState.CANCELLED
    run_job(store, settings, queued)  # a worker that takes it anyway does nothing
    assert get_job(store, queued, agency_id=agency.id).attempts == 0
    with pytest.raises(TransitionError):
        cancel_job(store, queue, queued, agency_id=agency.id, actor="examiner")
    # A running job is asked to stop, and stops at its next progress report.
    running = _submit(store, queue, settings, agency)
    assert store.jobs.start(running) is not None
    asked = cancel_job(store, queue, running, agency_id=agency.id, actor="examiner")
    assert asked.state is JobState.CANCELLING
    run_job(store, settings, running)  # resumed by a worker: notices and stops
    final = get_job(store, running, agency_id=agency.id)
    assert final.state is JobState.CANCELLED and final.finished_at is not None


def test_a_path_gone_outside_the_roots_fails_the_job_with_its_reason(
    store: SqlStore, queue: JobQueue, settings: Settings
) -> None:
    agency = _agency(store, "NCA")
    with pytest.raises(EvidencePathNotAllowedError):
        submit_scan(
            store,
            queue,
            agency_id=agency.id,
            actor="examiner",
            path="/etc",
            case="C",
            roots=settings.evidence_roots,
        )
    job_id = _submit(store, queue, settings, agency)
    ex = settings.evidence_roots[0] / "ex"
    ex.rename(ex.with_name("moved"))
    ex.symlink_to("/etc")
    run_job(store, settings, job_id)
    failed = get_job(store, job_id, agency_id=agency.id)
    assert failed.state is JobState.FAILED
    assert failed.problem is not None and "outside the allowed evidence roots" in failed.problem


class _DownQueue:
    """A queue whose database is unreachable."""

    def enqueue(self, job_id: uuid.UUID) -> str | None:
        raise ConnectionError("connection refused")

    def withdraw(self, queue_ref: str) -> None:
        raise AssertionError("not reached")

    def work(self, handler: object, *, once: bool = False) -> None:
        raise AssertionError("not reached")

    def close(self) -> None:
        """Nothing to close."""


def test_a_job_the_queue_refuses_is_failed_not_left_queued(
    store: SqlStore, settings: Settings
) -> None:
    agency = _agency(store, "NCA")
    with pytest.raises(StoreError, match="could not be queued"):
        _submit(store, _DownQueue(), settings, agency)
    [job] = list_jobs(store, agency_id=agency.id).jobs
    assert job.state is JobState.FAILED and "connection refused" in (job.problem or "")
