"""Scan jobs as a ``Principal`` asks for them: submit a scan of a server-side evidence path
into an own case (``scans:run``), list and show the agency's jobs (``cases:read``, audited
reads), cancel one (``scans:run``). The queue and the evidence roots are the node's
(``bootstrap.open_queue``, ``Settings.evidence_roots``); the work is ``services/jobs.py``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.bootstrap import open_queue
from interlink.domain.errors import EvidencePathInvalidError
from interlink.domain.principal import Capability, Principal
from interlink.services import jobs
from interlink.services.casefile import audit_read, case_of
from interlink.settings import Settings


def submit_scan(
    store: SqlStore,
    settings: Settings,
    principal: Principal,
    case: str,
    *,
    path: str,
    exhibit: str | None = None,
    lists: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Queue a scan of ``path`` (under the node's evidence roots) into the own case ``case``
    (audited as ``job.submit``)."""
    record = case_of(store, principal, case, Capability.SCANS_RUN)
    queue = open_queue(settings, store)
    try:
        job = jobs.submit_scan(
            store,
            queue,
            agency_id=principal.agency_id,
            actor=principal.actor,
            path=path,
            case=record.name,
            roots=settings.evidence_roots,
            exhibit=exhibit,
            lists=lists,
        )
    except EvidencePathInvalidError as exc:
        exc.field = "path"  # the name of the field the caller sent
        raise
    finally:
        queue.close()
    return job.to_json()


def list_jobs(
    store: SqlStore,
    principal: Principal,
    *,
    limit: int = 50,
    cursor: str | None = None,
    state: str | None = None,
    case: str | None = None,
) -> dict[str, Any]:
    """The agency's jobs, newest first (``case``: only those into that own case; another
    agency's case is not found), a page at a time (audited as ``job.list``)."""
    principal.require(Capability.CASES_READ)
    if case is not None:
        case = case_of(store, principal, case, Capability.CASES_READ).name
    page = jobs.list_jobs(
        store, agency_id=principal.agency_id, limit=limit, cursor=cursor, state=state, case=case
    )
    audit_read(
        store,
        principal,
        "job.list",
        "agency",
        str(principal.agency_id),
        {"jobs": len(page.jobs), "case": case, "state": state},
    )
    return {"items": [j.to_json() for j in page.jobs], "next_cursor": page.next_cursor}


def show_job(store: SqlStore, principal: Principal, job: str) -> dict[str, Any]:
    """One job of the agency: state, progress, result or problem (audited as ``job.read``)."""
    principal.require(Capability.CASES_READ)
    found = jobs.get_job(store, job, agency_id=principal.agency_id)
    audit_read(store, principal, "job.read", "job", str(found.id))
    return found.to_json()


def cancel_job(
    store: SqlStore, settings: Settings, principal: Principal, job: str
) -> dict[str, Any]:
    """Cancel a job of the agency: a queued one at once, a running one when its worker next
    reports progress (audited as ``job.cancel`` with the state before and after)."""
    principal.require(Capability.SCANS_RUN)
    queue = open_queue(settings, store)
    try:
        found = jobs.cancel_job(
            store, queue, job, agency_id=principal.agency_id, actor=principal.actor
        )
    finally:
        queue.close()
    return found.to_json()
