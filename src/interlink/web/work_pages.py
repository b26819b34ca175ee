"""Pages of case work across agencies: a case's links and watch hits, one linked case of
another agency (shown as far as its disclosure allows), the agency's watches with their hits,
series and victims. Each calls the service its JSON twin calls; changes are the API's,
sent by the page's script (``static/actions.js``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context
from interlink.domain.principal import Capability as C
from interlink.linking.deconfliction import Disclosure, TriggerKind
from interlink.services import casefile, casework_access, link_access
from interlink.web.listing import Listing, ListQuery, Table, table
from interlink.web.session import PageViewer, show

router = APIRouter(include_in_schema=False)
LINK_COLUMNS = ("case", "agency_name", "country", "strength", "evidence_kinds")
WATCH_COLUMNS = ("title", "priority", "disclosure", "case", "active", "hit_cases", "created_at")
SERIES_COLUMNS = ("series", "victims", "unidentified", "identified", "safeguarded")
HIT_COLUMNS = (
    "side",
    "title",
    "priority",
    "disclosure",
    "agency_name",
    "case",
    "own_case",
    "items",
    "first_at",
)
VICTIM_COLUMNS = ("pseudonym", "status", "case", "series_names", "created_at")


def _link_row(row: dict[str, Any]) -> dict[str, Any]:
    agency = row.get("agency") or {}
    return {
        **row,
        "agency_name": agency.get("name"),
        "country": agency.get("country_name") or agency.get("country"),
        "evidence_kinds": ", ".join(sorted({e["kind"] for e in row["evidence"]})),
    }


@router.get("/cases/{case}/links", openapi_extra=rules.needs(C.CASES_READ, scoped=True))
def links(
    request: Request,
    case: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The case's links to other agencies' cases and its watch hits, with their evidence
    and disclosure (JSON twin: ``GET /api/v1/cases/{case}/links``)."""
    view = casefile.links(context.store, who.principal, case)
    rows = [_link_row(r) for r in view["links"]]
    shown = table(rows, columns=LINK_COLUMNS, listing=listing)
    return show(
        request,
        who,
        "links.html",
        twin=f"/api/v1/cases/{case}/links",
        case=case,
        view=view,
        table=shown,
        disclosure=link_access.LINK_DISCLOSURE,
    )


@router.get("/cases/{case}/hits", openapi_extra=rules.needs(C.CASES_READ, scoped=True))
def case_hits(
    request: Request,
    case: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The watch hits touching the case, sorted, filtered and paged (JSON twin:
    ``GET /api/v1/watches/hits?case=``)."""
    rows = casefile.hits(context.store, who.principal, case)
    return show(
        request,
        who,
        "hits.html",
        twin=f"/api/v1/watches/hits?case={quote(case, safe='')}",
        case=case,
        table=_hits(rows, listing),
        base=f"/cases/{quote(case, safe='')}/hits",
    )


def _hits(hits: list[dict[str, Any]], listing: ListQuery) -> Table:
    rows = [{**h, "agency_name": (h.get("agency") or {}).get("name")} for h in hits]
    return table(rows, columns=HIT_COLUMNS, listing=listing, default_sort="-first_at")


@router.get("/cases/{case}/links/{other}", openapi_extra=rules.needs(C.CASES_READ, scoped=True))
def linked_case(
    request: Request, case: str, other: str, who: PageViewer, context: Context
) -> Response:
    """A linked case of another agency, as far as its link and hits disclose it (JSON twin:
    ``GET /api/v1/cases/{case}/links/{other}``)."""
    found = link_access.linked_case(context.store, who.principal, case, other)
    return show(
        request,
        who,
        "linked_case.html",
        twin=f"/api/v1/cases/{case}/links/{other}",
        case=case,
        found=found,
    )


@router.get("/watches", openapi_extra=rules.needs(C.CASES_READ))
def watches(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The agency's watches (place, withdraw) and the hits it made or received (JSON twins:
    ``GET /api/v1/watches`` and ``GET /api/v1/watches/hits``)."""
    rows = casefile.watch_list(context.store, who.principal)
    shown = table(rows, columns=WATCH_COLUMNS, listing=listing, default_sort="-created_at")
    hits = casefile.hits(context.store, who.principal)
    return show(
        request,
        who,
        "watches.html",
        twin="/api/v1/watches",
        table=shown,
        hits=hits,
        kinds=[k.value for k in TriggerKind],
        disclosures=[d.value for d in Disclosure],
    )


@router.get("/watches/hits", openapi_extra=rules.needs(C.CASES_READ))
def watch_hits(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The watch hits the agency made or received, sorted, filtered and paged (JSON twin:
    ``GET /api/v1/watches/hits``)."""
    hits = casefile.hits(context.store, who.principal)
    return show(
        request,
        who,
        "hits.html",
        twin="/api/v1/watches/hits",
        case=None,
        table=_hits(hits, listing),
        base="/watches/hits",
    )


@router.get("/series", openapi_extra=rules.needs(C.CASES_READ))
def series(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """Every series with its victims' identified status (JSON twin: ``GET /api/v1/series``)."""
    rows = casework_access.series_list(context.store, who.principal)
    shown = table(rows, columns=SERIES_COLUMNS, listing=listing)
    return show(request, who, "series.html", twin="/api/v1/series", table=shown)


@router.get("/victims", openapi_extra=rules.needs(C.CASES_READ))
def victims(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The agency's victims: record one, move one on (JSON twin: ``GET /api/v1/victims``)."""
    rows = [
        {**r, "series_names": ", ".join(r["series"])}
        for r in casework_access.victim_list(context.store, who.principal)
    ]
    shown = table(rows, columns=VICTIM_COLUMNS, listing=listing)
    return show(
        request,
        who,
        "victims.html",
        twin="/api/v1/victims",
        table=shown,
        next_status={"unidentified": "identified", "identified": "safeguarded"},
    )
