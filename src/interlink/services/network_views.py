"""Network builds as a principal reads them on the server (``networks``): one network drawn as
a graph (members, the media they hold, key players, countries), the GraphML export of a build,
and the referral packages per country. Every face (API, web pages) calls these; the store's
network repository audits each load as the principal, and each export is audited too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any, Literal

import numpy as np

from interlink.adapters.sql.networks import SqlNetworkRepository
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import InvalidFieldError, NotFoundError
from interlink.domain.principal import Capability, Principal
from interlink.formats.graph_export import write_graphml
from interlink.formats.referral import referral_html, referral_json
from interlink.network.export import node_attributes
from interlink.network.layout import spring_layout
from interlink.network.model import NodeKind, Relation
from interlink.network.pipeline import NetworkBuild
from interlink.network.referrals import Referral
from interlink.network.referrals import referrals as make_referrals
from interlink.services import networks
from interlink.services.casefile import audit_read
from interlink.services.network_access import network_order, summary_json

#: Media drawn per network at most (those held by the most members first).
MEDIA_DRAWN = 150
#: Members marked as key players (highest network capital).
KEY_PLAYERS = 3
_MEDIA_RELATIONS = (Relation.SHARED, Relation.RECEIVED)


def _build(store: SqlStore, principal: Principal, build_id: str | None) -> NetworkBuild:
    principal.require(Capability.NETWORKS)
    return networks.get_build(SqlNetworkRepository(store, principal.actor), build_id)


def network_graph(
    store: SqlStore, principal: Principal, network_id: str, *, build_id: str | None = None
) -> dict[str, Any]:
    """One network of a build (the latest by default): its figures, its members with their
    rankings, its key players and countries, and a drawing of it (positions in the unit
    square from a seeded force layout); ``NotFoundError`` when absent."""
    found = _build(store, principal, build_id)
    summary = found.network(network_id)
    if summary is None:
        raise NotFoundError("network", network_id)
    members = networks.network_members(found, summary)
    by_capital = sorted(members, key=lambda m: (-m.capital, m.key))
    key_players = {m.key for m in by_capital[:KEY_PLAYERS]}
    graph = found.graph
    member_nodes = list(summary.members)
    chosen = np.zeros(graph.node_count, dtype=bool)
    chosen[member_nodes] = True
    held = graph.edges_of(*_MEDIA_RELATIONS)
    held = held[chosen[graph.source[held]]]
    holders = Counter(int(t) for t in graph.target[held].tolist())
    media_nodes = [n for n, _ in sorted(holders.items(), key=lambda i: (-i[1], i[0]))]
    media_nodes = media_nodes[:MEDIA_DRAWN]
    nodes = member_nodes + media_nodes
    position = {node: index for index, node in enumerate(nodes)}
    chosen[media_nodes] = True
    among = np.flatnonzero(chosen[graph.source] & chosen[graph.target])
    edges = sorted(
        {(position[int(graph.source[i])], position[int(graph.target[i])]) for i in among.tolist()}
    )
    relations = {
        (position[int(graph.source[i])], position[int(graph.target[i])]): graph.edge(i).relation
        for i in among.tolist()
    }
    xy = spring_layout(len(nodes), edges)
    member_of = {m.key: m for m in members}
    drawn = []
    for index, node in enumerate(nodes):
        key = graph.keys[node]
        member = member_of.get(key) if graph.kind(node) is NodeKind.ACCOUNT else None
        known = found.known.get(node)
        drawn.append(
            {
                "id": index,
                "kind": graph.kind(node).value,
                "key": key,
                "label": graph.label(node),
                "country": member.country if member else None,
                "key_player": key in key_players,
                "known": known is not None if member is None else None,
                "holders": holders.get(node, 0) if member is None else None,
                "x": round(float(xy[index, 0]), 4),
                "y": round(float(xy[index, 1]), 4),
            }
        )
    countries = Counter(m.country or "unknown" for m in members)
    return {
        "build": found.build_id,
        "created_at": found.created_at.isoformat(),
        "network": summary_json(summary),
        "members": [asdict(m) for m in members],
        "key_players": [m.key for m in by_capital[:KEY_PLAYERS]],
        "countries": [
            {"country": code, "members": count}
            for code, count in sorted(countries.items(), key=lambda i: (-i[1], i[0]))
        ],
        "graph": {
            "nodes": drawn,
            "edges": [
                {"source": a, "target": b, "relation": relations[(a, b)].value} for a, b in edges
            ],
            "media_shown": len(media_nodes),
            "media_total": len(holders),
        },
    }


def graphml(
    store: SqlStore, principal: Principal, *, build_id: str | None = None
) -> tuple[str, Iterator[bytes]]:
    """The GraphML document of a build's whole graph (the latest by default), as its file
    name and its bytes in pieces (audited)."""
    found = _build(store, principal, build_id)
    audit_read(
        store,
        principal,
        "network.export",
        "network_build",
        found.build_id,
        {"format": "graphml", "nodes": found.graph.node_count, "edges": found.graph.edge_count},
    )
    return f"network-{found.build_id}.graphml", write_graphml(found.graph, node_attributes(found))


def _country(code: str) -> str:
    text = code.strip().upper()
    if len(text) != 2 or not text.isalpha():
        raise InvalidFieldError("country", code[:20], "an ISO 3166-1 alpha-2 code such as FR")
    return text


def referral_list(
    store: SqlStore, principal: Principal, *, build_id: str | None = None
) -> list[dict[str, Any]]:
    """Per country of a build (the latest by default), what its referral package holds:
    accounts, networks, media and known media (as the CLI's ``referrals`` writes them)."""
    found = _build(store, principal, build_id)
    return [
        {
            "country": package.country,
            "build": package.build_id,
            "accounts": len(package.accounts),
            "networks": len(package.networks),
            "media": sum(a.media for a in package.accounts),
            "known_media": sum(a.known_media for a in package.accounts),
        }
        for package in make_referrals(found)
    ]


def referral_summaries(
    store: SqlStore, principal: Principal, *, after: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` rows of :func:`referral_list` (the latest build) by country code
    after ``after``, and the code to go on after (``None``: the last). A build's referrals
    are computed from the build (one row per country, a few hundred at most), not stored
    row by row, so the service cuts the page, not a query."""
    rows = sorted(referral_list(store, principal), key=lambda r: str(r["country"]))
    rest = [r for r in rows if after is None or str(r["country"]) > after]
    return rest[:limit], (str(rest[limit - 1]["country"]) if len(rest) > limit else None)


def referral(
    store: SqlStore, principal: Principal, country: str, *, build_id: str | None = None
) -> Referral:
    """The referral package of ``country`` (audited); ``NotFoundError`` if the build has no
    account there."""
    code = _country(country)
    found = _build(store, principal, build_id)
    for package in make_referrals(found):
        if package.country == code:
            audit_read(
                store,
                principal,
                "referral.read",
                "network_build",
                found.build_id,
                {"country": code, "accounts": len(package.accounts)},
            )
            return package
    raise NotFoundError("referral", code)


def referral_document(package: Referral) -> dict[str, Any]:
    """The package as JSON (the CLI's ``referral-<CC>.json``)."""
    return referral_json(package)


def referral_page(package: Referral) -> str:
    """The package as a stand-alone HTML page (the CLI's ``referral-<CC>.html``)."""
    return referral_html(package)


def referral_rows(
    store: SqlStore,
    principal: Principal,
    country: str,
    part: Literal["networks", "accounts"],
    *,
    after: str | None,
    limit: int,
) -> tuple[str, list[dict[str, Any]], bool]:
    """The country's package (code), up to ``limit`` of its ``networks`` (by id, N2 before
    N10) or ``accounts`` (by key) after the one ``after`` names, as the package's JSON
    gives them, and whether more follow (audited as ``referral.read``)."""
    package = referral(store, principal, country)
    document = referral_document(package)
    if part == "networks":
        rows = sorted(document["networks"], key=lambda n: network_order(n["network_id"]))
        past = [
            n
            for n in rows
            if after is None or network_order(n["network_id"]) > network_order(after)
        ]
    else:
        rows = sorted(document["accounts"], key=lambda a: str(a["key"]))
        past = [a for a in rows if after is None or str(a["key"]) > after]
    return package.country, past[:limit], len(past) > limit
