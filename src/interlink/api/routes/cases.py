"""``/api/v1/cases`` and ``/api/v1/figures``: the caller's agency's cases, their links and
reports; another agency's case is not found."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.heavy import Heavy
from interlink.api.pagination import (
    Cursor,
    Limit,
    Page,
    encode,
    next_cursor,
    paginate,
    text_key,
    typed_key,
)
from interlink.domain.cases import CaseStatus, Identifier, IdentifierKind
from interlink.domain.errors import InvalidFieldError
from interlink.domain.principal import Capability as C
from interlink.services import casefile

router = APIRouter(tags=["cases"])
CaseName = str


class Figures(BaseModel):
    """Counts over the caller's agency (no names, no media)."""

    agency: str
    cases: int
    open_cases: int
    exhibits: int
    linked_cases: int
    watch_hits: int


class CaseRow(BaseModel):
    """A case in a listing, with its figures."""

    case: str
    status: str
    created_at: str | None
    exhibits: int
    linked_cases: int
    watch_hits: int


class ExhibitOut(BaseModel):
    """An exhibit of a case."""

    id: str
    name: str
    description: str
    acquisition_hash: str


class CaseOut(BaseModel):
    """One case and its exhibits."""

    case: str
    status: str
    agency: str
    created_at: str | None
    exhibits: list[ExhibitOut]


class NewCase(BaseModel):
    """A case to open."""

    name: str = Field(min_length=1, max_length=200)


class StatusChange(BaseModel):
    """A case's new status."""

    status: CaseStatus


class NewIdentifier(BaseModel):
    """An identifier met in a case."""

    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=500)
    service: str | None = Field(default=None, max_length=200)
    port: int | None = Field(default=None, ge=0, le=65535)
    seen: datetime | None = None


class Found(BaseModel):
    """What recording an identifier found."""

    new_evidence: int
    new_hits: int


@router.get("/figures", response_model=Figures, openapi_extra=rules.needs(C.FIGURES_READ))
def figures(principal: Caller, context: Context) -> Figures:
    """Counts over the caller's agency."""
    return Figures.model_validate(casefile.figures(context.store, principal))


@router.get("/cases", response_model=Page[CaseRow], openapi_extra=rules.needs(C.CASES_READ))
def list_cases(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[CaseRow]:
    """The caller's agency's cases, by reference."""
    rows = casefile.list_cases(context.store, principal)
    page, after = paginate(rows, lambda r: str(r["case"]), cursor, limit)
    return Page[CaseRow](items=[CaseRow.model_validate(r) for r in page], next_cursor=after)


@router.post(
    "/cases", response_model=CaseOut, status_code=201, openapi_extra=rules.needs(C.CASES_WRITE)
)
def open_case(body: NewCase, principal: Caller, context: Context) -> CaseOut:
    """Open a case of the caller's agency."""
    case = casefile.open_case(context.store, principal, body.name)
    return CaseOut.model_validate(casefile.show_case(context.store, principal, case.name))


@router.get(
    "/cases/{case}", response_model=CaseOut, openapi_extra=rules.needs(C.CASES_READ, scoped=True)
)
def show_case(case: CaseName, principal: Caller, context: Context) -> CaseOut:
    """One case of the caller's agency with its exhibits."""
    return CaseOut.model_validate(casefile.show_case(context.store, principal, case))


@router.put(
    "/cases/{case}/status",
    response_model=CaseOut,
    openapi_extra=rules.needs(C.CASES_WRITE, scoped=True),
)
def set_status(case: CaseName, body: StatusChange, principal: Caller, context: Context) -> CaseOut:
    """Open or close a case."""
    casefile.set_status(context.store, principal, case, body.status)
    return CaseOut.model_validate(casefile.show_case(context.store, principal, case))


@router.post(
    "/cases/{case}/identifiers",
    response_model=Found,
    openapi_extra=rules.needs(C.CASES_WRITE, scoped=True),
)
def add_identifier(
    case: CaseName, body: NewIdentifier, principal: Caller, context: Context
) -> Found:
    """Record an identifier met in a case; links and watch hits follow."""
    if body.seen is not None and body.seen.utcoffset() is None:
        raise InvalidFieldError("seen", body.seen.isoformat(), "give a UTC offset")
    identifier = Identifier(body.kind, body.value, body.service, body.port, body.seen)
    found = casefile.add_identifier(context.store, principal, case, identifier)
    return Found(new_evidence=len(found.evidence), new_hits=len(found.hits))


class Links(Page[dict[str, Any]]):
    """A page of the other agencies' cases linked with a case, by reference, each at its
    disclosure level; with the case, its agency, its cluster and the series its media show.
    The case's watch hits are ``GET /api/v1/watches/hits?case=``."""

    case: str
    agency: dict[str, Any]
    cluster: dict[str, Any]
    series: list[dict[str, Any]]


@router.get(
    "/cases/{case}/links",
    response_model=Links,
    openapi_extra=rules.needs(C.CASES_READ, scoped=True),
)
def case_links(
    case: CaseName, principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Links:
    """Other agencies' cases linked with this one, at their disclosure level, by reference."""
    about, rows, more = casefile.link_page(
        context.store, principal, case, after=text_key(cursor), limit=limit
    )
    after = encode(rows[-1]["case"]) if more and rows else None
    return Links.model_validate({**about, "items": rows, "next_cursor": after})


@router.get(
    "/cases/{case}/report",
    response_model=dict[str, Any],
    openapi_extra=rules.needs(C.CASES_READ, scoped=True),
)
def report(_slot: Heavy, case: CaseName, principal: Caller, context: Context) -> dict[str, Any]:
    """The case report as JSON."""
    return casefile.report(
        context.store, principal, case, trusted_votes=context.settings.trusted_votes
    )


@router.get(
    "/cases/{case}/report.html",
    response_class=HTMLResponse,
    openapi_extra=rules.needs(C.CASES_READ, C.MEDIA_BLURRED, scoped=True, all_of=True),
)
def report_html(_slot: Heavy, case: CaseName, principal: Caller, context: Context) -> HTMLResponse:
    """The case report as a self-contained HTML download (thumbnails blurred)."""
    html = casefile.report_html(
        context.store, principal, case, trusted_votes=context.settings.trusted_votes
    )
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in case)[:100]
    return HTMLResponse(
        html,
        headers={
            "Content-Disposition": f'attachment; filename="{safe or "case"}-report.html"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/watches", response_model=Page[dict[str, Any]], openapi_extra=rules.needs(C.CASES_READ)
)
def watch_list(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[dict[str, Any]]:
    """The caller's agency's watches."""
    rows = casefile.watch_list(context.store, principal)
    page, after = paginate(rows, lambda r: str(r.get("id", "")), cursor, limit)
    return Page[dict[str, Any]](items=page, next_cursor=after)


@router.get(
    "/watches/hits", response_model=Page[dict[str, Any]], openapi_extra=rules.needs(C.CASES_READ)
)
def hits(
    principal: Caller,
    context: Context,
    cursor: Cursor,
    limit: Limit = 100,
    case: Annotated[str | None, Query(max_length=200, description="Only this case's.")] = None,
) -> Page[dict[str, Any]]:
    """Watch hits the caller's agency made or received; with ``case``, those touching that
    own case."""
    key = typed_key(cursor, int, str)
    rows, after = casefile.hit_page(
        context.store, principal, case, after=None if key is None else (key[0], key[1]), limit=limit
    )
    return Page[dict[str, Any]](items=rows, next_cursor=next_cursor(after))


@router.get(
    "/operations/{name}",
    response_model=dict[str, Any],
    openapi_extra=rules.needs(C.FIGURES_READ, scoped=True),
)
def operation(name: str, principal: Caller, context: Context) -> dict[str, Any]:
    """An operation the caller's agency takes part in (figures only for a viewer)."""
    return casefile.operation(context.store, principal, name)
