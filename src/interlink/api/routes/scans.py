"""Scans as jobs: ``POST /api/v1/cases/{case}/scans`` queues a scan of a server-side evidence
path (under ``INTERLINK_EVIDENCE_ROOTS``) for a worker; ``/api/v1/jobs`` lists, shows and
cancels the agency's jobs; ``/api/v1/cases/{case}/exhibits`` lists what scans produced."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, encode, text_key
from interlink.domain.jobs import JobState
from interlink.domain.principal import Capability as C
from interlink.services import exhibits_view, scan_jobs_view

router = APIRouter(tags=["jobs"])


class NewScan(BaseModel):
    """A scan to queue: a server-side path under an allowed evidence root."""

    path: str = Field(min_length=1, max_length=4096)
    exhibit: str | None = Field(default=None, min_length=1, max_length=200)
    lists: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, max_length=50
    )


class Progress(BaseModel):
    """Files done of the (growing) estimate."""

    files_done: int
    files_total: int


class JobOut(BaseModel):
    """A background job: what was asked, its state, progress, and result or problem."""

    id: str
    kind: str
    agency_id: str
    submitted_by: str
    arguments: dict[str, Any]
    state: JobState
    progress: Progress
    result: dict[str, Any] | None
    problem: str | None
    attempts: int
    submitted_at: str
    started_at: str | None
    finished_at: str | None
    updated_at: str


class ExhibitRow(BaseModel):
    """An exhibit of a case and where it was read from."""

    id: str
    name: str
    root: str
    description: str
    acquisition_hash: str


@router.post(
    "/cases/{case}/scans",
    response_model=JobOut,
    status_code=202,
    openapi_extra=rules.needs(C.SCANS_RUN, scoped=True),
)
def submit_scan(case: str, body: NewScan, principal: Caller, context: Context) -> JobOut:
    """Queue a scan of ``path`` into the case; a worker runs it (follow it at
    ``/api/v1/jobs/{id}``)."""
    job = scan_jobs_view.submit_scan(
        context.store,
        context.settings,
        principal,
        case,
        path=body.path,
        exhibit=body.exhibit,
        lists=body.lists,
    )
    return JobOut.model_validate(job)


@router.get("/jobs", response_model=Page[JobOut], openapi_extra=rules.needs(C.CASES_READ))
def list_jobs(
    principal: Caller,
    context: Context,
    cursor: Annotated[str | None, Query(max_length=200, description="A next_cursor.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Jobs per page.")] = 50,
    state: JobState | None = None,
    case: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> Page[JobOut]:
    """The agency's jobs, newest first (only one case's, or in one state, when asked)."""
    found = scan_jobs_view.list_jobs(
        context.store,
        principal,
        limit=limit,
        cursor=cursor,
        state=state.value if state else None,
        case=case,
    )
    return Page[JobOut](
        items=[JobOut.model_validate(j) for j in found["items"]], next_cursor=found["next_cursor"]
    )


@router.get(
    "/jobs/{job_id}", response_model=JobOut, openapi_extra=rules.needs(C.CASES_READ, scoped=True)
)
def show_job(job_id: str, principal: Caller, context: Context) -> JobOut:
    """One job of the agency: state, progress, result or problem."""
    return JobOut.model_validate(scan_jobs_view.show_job(context.store, principal, job_id))


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=JobOut,
    openapi_extra=rules.needs(C.SCANS_RUN, scoped=True),
)
def cancel_job(job_id: str, principal: Caller, context: Context) -> JobOut:
    """Cancel a queued job, or ask a running one to stop (``cancelling``, then
    ``cancelled``); a finished job is a conflict."""
    job = scan_jobs_view.cancel_job(context.store, context.settings, principal, job_id)
    return JobOut.model_validate(job)


@router.get(
    "/cases/{case}/exhibits",
    response_model=Page[ExhibitRow],
    openapi_extra=rules.needs(C.CASES_READ, scoped=True),
)
def exhibits(
    case: str, principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[ExhibitRow]:
    """The case's exhibits, by name."""
    rows, more = exhibits_view.exhibit_page(
        context.store, principal, case, after=text_key(cursor), limit=limit
    )
    after = encode(rows[-1]["name"]) if more and rows else None
    return Page[ExhibitRow](items=[ExhibitRow.model_validate(r) for r in rows], next_cursor=after)
