"""Pages over offender networks: the latest build's networks, one network drawn (members,
media, key players, countries) with its members' table and the GraphML download, and the
referral packages per country. Each calls the service its JSON twin calls."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context
from interlink.domain.errors import NotFoundError
from interlink.domain.principal import Capability as C
from interlink.services import network_access, network_views
from interlink.web.graph_svg import picture
from interlink.web.listing import Listing, ListQuery, table
from interlink.web.session import PageViewer, show

router = APIRouter(include_in_schema=False)
NETWORK_COLUMNS = ("network", "members", "media", "known_media", "countries", "last_seen")
MEMBER_COLUMNS = ("label", "key", "country", "capital", "degree", "betweenness", "media")
REFERRAL_COLUMNS = ("country", "accounts", "networks", "media", "known_media")
#: Networks a referral page shows, the most media first (every one on its networks page).
PREVIEW = 10
REFERRAL_NETWORK_COLUMNS = (
    "network_id",
    "size",
    "members_here",
    "country_counts",
    "media",
    "known_media",
    "new_media",
)
ACCOUNT_COLUMNS = ("key", "label", "network", "basis", "media", "known_media", "capital")
_RULE = rules.needs(C.NETWORKS)


def _network_row(network: dict[str, Any]) -> dict[str, Any]:
    return {**network, "countries": ", ".join(sorted(network["countries"]))}


@router.get("/networks", openapi_extra=_RULE)
def networks(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The latest build's networks (JSON twin: ``GET /api/v1/networks/builds/latest/networks``,
    its figures ``GET /api/v1/networks/builds/latest``)."""
    try:
        build: dict[str, Any] | None = network_access.latest(context.store, who.principal)
    except NotFoundError:
        build = None
    rows = [_network_row(n) for n in build["networks"]] if build else []
    shown = table(rows, columns=NETWORK_COLUMNS, listing=listing)
    return show(
        request,
        who,
        "networks.html",
        twin="/api/v1/networks/builds/latest/networks",
        build=build,
        table=shown,
    )


@router.get("/networks/{network}", openapi_extra=_RULE)
def network(
    request: Request,
    network: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """One network drawn, with its members (JSON twin:
    ``GET /api/v1/networks/builds/latest/networks/{network}``)."""
    view = network_views.network_graph(context.store, who.principal, network)
    key_players = set(view["key_players"])
    rows = [{**m, "key_player": m["key"] in key_players} for m in view["members"]]
    shown = table(rows, columns=MEMBER_COLUMNS, listing=listing, default_sort="-capital")
    return show(
        request,
        who,
        "network.html",
        twin=f"/api/v1/networks/builds/latest/networks/{network}",
        view=view,
        picture=picture(view),
        table=shown,
        base=f"/networks/{network}",
    )


@router.get("/referrals", openapi_extra=_RULE)
def referrals(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The referral package of each country (JSON twin: ``GET /api/v1/referrals``)."""
    try:
        rows = network_views.referral_list(context.store, who.principal)
    except NotFoundError:
        rows = []
    shown = table(rows, columns=REFERRAL_COLUMNS, listing=listing)
    return show(request, who, "referrals.html", twin="/api/v1/referrals", table=shown)


@router.get("/referrals/{country}", openapi_extra=_RULE)
def referral(
    request: Request,
    country: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """One country's referral package (JSON twin: ``GET /api/v1/referrals/{country}``)."""
    package = network_views.referral_document(
        network_views.referral(context.store, who.principal, country)
    )
    rows = [
        {
            **a,
            "basis": a["basis"]
            + (": " + ", ".join(a["basis_evidence"]) if a["basis_evidence"] else ""),
        }
        for a in package["accounts"]
    ]
    shown = table(rows, columns=ACCOUNT_COLUMNS, listing=listing, default_sort="-capital")
    networks = table(
        _referral_networks(package),
        columns=REFERRAL_NETWORK_COLUMNS,
        listing=ListQuery("-media"),
        limit=PREVIEW,
    )
    return show(
        request,
        who,
        "referral.html",
        twin=f"/api/v1/referrals/{package['country']}",
        package=package,
        table=shown,
        networks=networks,
        base=f"/referrals/{package['country']}",
    )


@router.get("/referrals/{country}/networks", openapi_extra=_RULE)
def referral_networks(
    request: Request,
    country: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The networks of one country's referral package, sorted, filtered and paged (JSON
    twin: ``GET /api/v1/referrals/{country}/networks``)."""
    package = network_views.referral_document(
        network_views.referral(context.store, who.principal, country)
    )
    rows = _referral_networks(package)
    return show(
        request,
        who,
        "referral_networks.html",
        twin=f"/api/v1/referrals/{package['country']}/networks",
        package=package,
        table=table(rows, columns=REFERRAL_NETWORK_COLUMNS, listing=listing, default_sort="-media"),
        base=f"/referrals/{package['country']}/networks",
    )


def _referral_networks(package: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **n,
            "country_counts": ", ".join(f"{code} {count}" for code, count in n["countries"]),
        }
        for n in package["networks"]
    ]
