"""The agency's scan jobs as a page: sorted, filtered and paged like every list, each linking
its case (JSON twin: ``GET /api/v1/jobs``). Live progress is on each case's page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context
from interlink.domain.principal import Capability as C
from interlink.services import scan_jobs_view
from interlink.web.listing import Listing, table
from interlink.web.session import PageViewer, show

router = APIRouter(include_in_schema=False)
JOB_COLUMNS = ("submitted_at", "state", "case", "path", "files_done", "submitted_by", "id")
#: The page sorts and filters the agency's newest jobs, up to this many.
NEWEST = 500


def _row(job: dict[str, Any]) -> dict[str, Any]:
    arguments = job["arguments"]
    return {
        **job,
        "case": arguments.get("case"),
        "path": arguments.get("path"),
        "files_done": job["progress"]["files_done"],
        "files_total": job["progress"]["files_total"],
    }


@router.get("/jobs", openapi_extra=rules.needs(C.CASES_READ))
def jobs(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The agency's newest scan jobs (JSON twin: ``GET /api/v1/jobs``)."""
    found = scan_jobs_view.list_jobs(context.store, who.principal, limit=NEWEST)
    rows = [_row(j) for j in found["items"]]
    shown = table(rows, columns=JOB_COLUMNS, listing=listing, default_sort="-submitted_at")
    return show(
        request,
        who,
        "jobs.html",
        twin="/api/v1/jobs",
        table=shown,
        more=found["next_cursor"] is not None,
        newest=NEWEST,
    )
