"""``/api/v1/referrals``: the referral package of each country of the latest network build,
as ``interlink referrals`` writes them (JSON, and the stand-alone HTML page)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from interlink.api import rules
from interlink.api.deps import Caller, Context, ServerContext
from interlink.api.pagination import Cursor, Limit, Page, encode, next_cursor, text_key
from interlink.domain.principal import Capability, Principal
from interlink.services import network_views

router = APIRouter(prefix="/referrals", tags=["networks"])
_RULE = rules.needs(Capability.NETWORKS)
Country = Annotated[str, Path(min_length=1, max_length=20, description="ISO 3166-1 alpha-2.")]


class CountrySummary(BaseModel):
    """What a country's package holds."""

    country: str
    build: str
    accounts: int
    networks: int
    media: int
    known_media: int


@router.get("", response_model=Page[CountrySummary], openapi_extra=_RULE)
def countries(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[CountrySummary]:
    """One row per country with a referral package in the latest build, by country code."""
    rows, after = network_views.referral_summaries(
        context.store, principal, after=text_key(cursor), limit=limit
    )
    return Page[CountrySummary](
        items=[CountrySummary.model_validate(r) for r in rows], next_cursor=next_cursor(after)
    )


@router.get("/{country}", response_model=dict[str, Any], openapi_extra=_RULE)
def package(country: Country, principal: Caller, context: Context) -> dict[str, Any]:
    """A country's referral package (the CLI's ``referral-<CC>.json``)."""
    found = network_views.referral(context.store, principal, country)
    return network_views.referral_document(found)


class ReferralRows(Page[dict[str, Any]]):
    """A page of a country's referral package: its networks or its accounts, each as the
    package (``GET /api/v1/referrals/{country}``) gives it."""

    country: str


def _rows(
    part: Literal["networks", "accounts"],
    key: str,
    context: ServerContext,
    who: Principal,
    country: str,
    cursor: str | None,
    limit: int,
) -> ReferralRows:
    code, rows, more = network_views.referral_rows(
        context.store, who, country, part, after=text_key(cursor), limit=limit
    )
    after = encode(rows[-1][key]) if more and rows else None
    return ReferralRows(country=code, items=rows, next_cursor=after)


@router.get("/{country}/networks", response_model=ReferralRows, openapi_extra=_RULE)
def package_networks(
    country: Country, principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> ReferralRows:
    """The networks with members in the country's package, by id (N2 before N10)."""
    return _rows("networks", "network_id", context, principal, country, cursor, limit)


@router.get("/{country}/accounts", response_model=ReferralRows, openapi_extra=_RULE)
def package_accounts(
    country: Country, principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> ReferralRows:
    """The accounts of the country's package with the evidence for each, by key."""
    return _rows("accounts", "key", context, principal, country, cursor, limit)


@router.get(
    "/{country}/html",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}},
    openapi_extra=_RULE,
)
def package_html(country: Country, principal: Caller, context: Context) -> HTMLResponse:
    """A country's referral package as a page to send (the CLI's ``referral-<CC>.html``)."""
    found = network_views.referral(context.store, principal, country)
    return HTMLResponse(
        network_views.referral_page(found),
        headers={
            "Content-Disposition": f'attachment; filename="referral-{found.country}.html"',
            "Cache-Control": "no-store",
        },
    )
