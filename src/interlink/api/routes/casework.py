"""Case work beyond the case record: placing and withdrawing watches
(``/api/v1/watches``), one linked case of another agency at what the link and watch hits
disclose (``/api/v1/cases/{case}/links/{other}``), and series and victims
(``/api/v1/series``, ``/api/v1/victims``)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, next_cursor, text_key
from interlink.domain.cases import VictimStatus
from interlink.domain.principal import Capability as C
from interlink.linking.deconfliction import Disclosure, TriggerKind
from interlink.services import casework_access, link_access, watch_access, watches

router = APIRouter(tags=["casework"])


class TriggerIn(BaseModel):
    """What a watch looks for: a hash, a series, a camera or an identifier."""

    kind: TriggerKind
    value: str = Field(min_length=1, max_length=500)
    port: int | None = Field(default=None, ge=0, le=65535)
    service: str | None = Field(default=None, max_length=100)


class WatchIn(BaseModel):
    """A watch to place."""

    title: str = Field(min_length=1, max_length=200)
    triggers: list[TriggerIn] = Field(min_length=1, max_length=100)
    priority: Literal["low", "normal", "high", "critical"] = "normal"
    disclosure: Disclosure = Disclosure.AGENCY
    message: str = Field(default="", max_length=2000)
    case: str | None = Field(default=None, max_length=200)
    days: int | None = Field(default=None, ge=1, le=watch_access.MAX_DAYS)


class Placed(BaseModel):
    """A placed watch, and how many hits it made at once on what is already held."""

    id: str
    title: str
    triggers: list[dict[str, str]]
    hits: int


class Withdrawn(BaseModel):
    """A withdrawn watch (its hits stay)."""

    id: str
    title: str
    withdrawn_at: str | None


class LinkedCase(BaseModel):
    """What an own case is shown of a linked case of another agency."""

    case: str
    other: str
    agency: dict[str, str]
    disclosure: str
    link: dict[str, Any] | None
    watch_hits: list[dict[str, Any]]


class SeriesRow(BaseModel):
    """A series and how far its victims are."""

    series: str
    created_at: str | None
    victims: int
    unidentified: int
    identified: int
    safeguarded: int
    identified_status: str
    yours: list[str]
    others: list[dict[str, Any]]


class VictimOut(BaseModel):
    """A victim of the caller's agency (a pseudonym, never a name)."""

    pseudonym: str
    status: str
    identified: bool
    case: str | None
    series: list[str]
    created_at: str | None


class VictimIn(BaseModel):
    """A victim to record (unidentified)."""

    pseudonym: str = Field(min_length=1, max_length=200)
    case: str | None = Field(default=None, max_length=200)
    series: list[str] = Field(default_factory=list, max_length=50)


class VictimStatusIn(BaseModel):
    """A victim's next status."""

    status: VictimStatus


@router.post(
    "/watches", response_model=Placed, status_code=201, openapi_extra=rules.needs(C.CASES_WRITE)
)
def place_watch(body: WatchIn, principal: Caller, context: Context) -> Placed:
    """Place a watch of the caller's agency (checked at once against what is held)."""
    found = watch_access.place(
        context.store,
        principal,
        [watches.TriggerSpec(t.kind, t.value, t.port, t.service) for t in body.triggers],
        title=body.title,
        priority=body.priority,
        disclosure=body.disclosure,
        message=body.message,
        case=body.case,
        days=body.days,
    )
    return Placed.model_validate(found)


@router.post(
    "/watches/{watch_id}/withdraw",
    response_model=Withdrawn,
    openapi_extra=rules.needs(C.CASES_WRITE, scoped=True),
)
def withdraw_watch(watch_id: str, principal: Caller, context: Context) -> Withdrawn:
    """Withdraw a watch of the caller's agency: it hits no more (its hits stay)."""
    return Withdrawn.model_validate(watch_access.withdraw(context.store, principal, watch_id))


@router.get(
    "/cases/{case}/links/{other}",
    response_model=LinkedCase,
    openapi_extra=rules.needs(C.CASES_READ, scoped=True),
)
def linked_case(case: str, other: str, principal: Caller, context: Context) -> LinkedCase:
    """A case of another agency linked with the case, as far as the link and the watch
    hits between them disclose it; not found when nothing joins them."""
    found = link_access.linked_case(context.store, principal, case, other)
    return LinkedCase.model_validate(found)


@router.get("/series", response_model=Page[SeriesRow], openapi_extra=rules.needs(C.CASES_READ))
def series(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[SeriesRow]:
    """Every series with its victims' statuses."""
    rows, after = casework_access.series_page(
        context.store, principal, after=text_key(cursor), limit=limit
    )
    return Page[SeriesRow](
        items=[SeriesRow.model_validate(r) for r in rows], next_cursor=next_cursor(after)
    )


@router.get("/victims", response_model=Page[VictimOut], openapi_extra=rules.needs(C.CASES_READ))
def victim_list(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[VictimOut]:
    """The caller's agency's victims."""
    rows, after = casework_access.victim_page(
        context.store, principal, after=text_key(cursor), limit=limit
    )
    return Page[VictimOut](
        items=[VictimOut.model_validate(r) for r in rows], next_cursor=next_cursor(after)
    )


@router.post(
    "/victims", response_model=VictimOut, status_code=201, openapi_extra=rules.needs(C.CASES_WRITE)
)
def add_victim(body: VictimIn, principal: Caller, context: Context) -> VictimOut:
    """Record an unidentified victim of the caller's agency."""
    found = casework_access.add_victim(
        context.store, principal, body.pseudonym, case=body.case, series=body.series
    )
    return VictimOut.model_validate(found)


@router.put(
    "/victims/{pseudonym}/status",
    response_model=VictimOut,
    openapi_extra=rules.needs(C.CASES_WRITE, scoped=True),
)
def advance_victim(
    pseudonym: str, body: VictimStatusIn, principal: Caller, context: Context
) -> VictimOut:
    """Move a victim of the caller's agency one step on (unidentified, identified,
    safeguarded)."""
    found = casework_access.advance_victim(context.store, principal, pseudonym, body.status)
    return VictimOut.model_validate(found)
