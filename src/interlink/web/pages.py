"""Pages over cases and figures: the cases, one case (summary, exhibits, links to other
agencies' cases at their disclosure), the dashboard and the audit log. Each calls the service
its JSON twin calls, with nothing added but presentation (sorting, filtering, paging)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context
from interlink.api.pagination import encode, position
from interlink.domain.principal import Capability as C
from interlink.services import audit_access, casefile, scan_jobs_view
from interlink.services.exposure import exposure_of
from interlink.web.listing import PAGE_ROWS, Listing, Table, table
from interlink.web.session import PageViewer, show

router = APIRouter(include_in_schema=False)
CASE_COLUMNS = ("case", "status", "created_at", "exhibits", "linked_cases", "watch_hits")
EXHIBIT_COLUMNS = ("name", "description", "acquisition_hash")


@router.get("/cases", openapi_extra=rules.needs(C.CASES_READ))
def cases(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The agency's cases (JSON twin: ``GET /api/v1/cases``)."""
    rows = casefile.list_cases(context.store, who.principal)
    shown = table(rows, columns=CASE_COLUMNS, listing=listing)
    return show(
        request,
        who,
        "cases.html",
        twin="/api/v1/cases",
        table=shown,
        columns=CASE_COLUMNS,
    )


@router.get("/cases/{case}", openapi_extra=rules.needs(C.CASES_READ, scoped=True))
def case(
    request: Request,
    case: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """One case: summary, its exhibits (sorted, filtered, paged), its newest scan jobs and
    linked cases, each of which has its own full list (JSON twins: ``GET /api/v1/cases/{case}``
    and ``/links``)."""
    shown = casefile.show_case(context.store, who.principal, case)
    links = casefile.links(context.store, who.principal, case)
    scans = scan_jobs_view.list_jobs(context.store, who.principal, case=case, limit=20)
    exhibits = table(shown["exhibits"], columns=EXHIBIT_COLUMNS, listing=listing)
    return show(
        request,
        who,
        "case.html",
        twin=f"/api/v1/cases/{case}",
        case=shown,
        table=exhibits,
        base=f"/cases/{quote(case, safe='')}",
        links=links,
        jobs=scans["items"],
        roots=[str(r) for r in context.settings.evidence_roots],
    )


@router.get("/dashboard", openapi_extra=rules.needs(C.FIGURES_READ))
def dashboard(request: Request, who: PageViewer, context: Context) -> Response:
    """The agency's figures and the viewer's exposure (JSON twins: ``GET /api/v1/figures``
    and ``GET /api/v1/exposure``)."""
    figures = casefile.figures(context.store, who.principal)
    return show(
        request,
        who,
        "dashboard.html",
        twin="/api/v1/figures",
        figures=figures,
        exposure=exposure_of(context.store, who.principal).as_json(),
    )


@router.get("/audit", openapi_extra=rules.needs(C.AUDIT_READ))
def audit(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The audit log a page at a time, newest first (``sort=id``: chain order), filtered over
    the whole log by actor, action or object (JSON twin: ``GET /api/v1/audit``, which takes
    the same ``sort``, ``q`` and ``cursor``)."""
    records, more = audit_access.audit_listing(
        context.store,
        who.principal,
        sort=listing.sort,
        containing=listing.query,
        after_id=position(listing.cursor),
        limit=PAGE_ROWS,
        default_sort="-id",
    )
    newest_first = (listing.sort or "-id").strip() == "-id"
    q = listing.query or ""
    next_cursor = encode(records[-1].id) if more and records else None
    return show(
        request,
        who,
        "audit.html",
        twin="/api/v1/audit?" + urlencode({"sort": "-id" if newest_first else "id", "q": q}),
        records=records,
        table=Table([], len(records), "id", newest_first, q, next_cursor),
    )
