"""Referral packages: for each country, its accounts, their evidence and their networks.

A package holds only identifiers, hashes' counts and categories, report ids and scores: no
media. Every account attributed to a country is in that country's package; a network appears
in the package of every country one of its members is in, with the countries of the others
(so each unit sees who else must be contacted).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from interlink.network.model import NodeKind, Relation
from interlink.network.pipeline import NetworkBuild

_IDENTIFIER_RELATIONS = {
    Relation.USES_EMAIL,
    Relation.USES_PHONE,
    Relation.USED_DEVICE,
    Relation.USED_IP,
    Relation.MEMBER_OF,
}
_REPORT_RELATIONS = {Relation.REPORTED_IN, Relation.RECIPIENT_IN}
_MEDIA_RELATIONS = {Relation.SHARED, Relation.RECEIVED}


@dataclass(frozen=True, slots=True)
class ReferralAccount:
    """One account of a package and the evidence for it.

    ``identifiers`` are ``(kind, value)`` pairs linked to it (e-mail, phone, device, IP window,
    group); ``basis`` and ``basis_evidence`` say why it is in this country.
    """

    key: str
    label: str
    identifiers: tuple[tuple[str, str], ...]
    basis: str
    basis_evidence: tuple[str, ...]
    reports: tuple[str, ...]
    media: int
    known_media: int
    categories: tuple[tuple[str, int], ...]
    network: str | None
    capital: float
    pagerank: float


@dataclass(frozen=True, slots=True)
class ReferralNetwork:
    """A network with members in the package's country."""

    network_id: str
    size: int
    members_here: int
    countries: tuple[tuple[str, int], ...]
    media: int
    known_media: int
    new_media: int
    categories: tuple[tuple[str, int], ...]
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass(frozen=True, slots=True)
class Referral:
    """The package for one country (ISO 3166-1 alpha-2) from one build."""

    country: str
    build_id: str
    created_at: datetime
    accounts: tuple[ReferralAccount, ...]
    networks: tuple[ReferralNetwork, ...]


def _identifier(build: NetworkBuild, node: int) -> tuple[str, str]:
    """``(kind, value)``; an IP window says when it was seen."""
    graph = build.graph
    kind = graph.kind(node)
    value = graph.label(node)
    details = graph.details.get(node, {})
    if kind is NodeKind.IP and "first_seen" in details:
        value = f"{value} ({details['first_seen']} to {details['last_seen']})"
    return kind.value, value


def referrals(build: NetworkBuild) -> tuple[Referral, ...]:
    """One package per attributed country, in country order; accounts by capital, highest
    first."""
    graph = build.graph
    identifiers: dict[int, set[tuple[str, str]]] = defaultdict(set)
    reports: dict[int, set[str]] = defaultdict(set)
    categories: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    held: dict[int, set[int]] = defaultdict(set)
    for edge in graph.edges():
        if edge.relation in _IDENTIFIER_RELATIONS:
            identifiers[edge.source].add(_identifier(build, edge.target))
        elif edge.relation in _REPORT_RELATIONS:
            reports[edge.source].add(graph.keys[edge.target])
        elif edge.relation in _MEDIA_RELATIONS and edge.target not in held[edge.source]:
            held[edge.source].add(edge.target)
            info = build.known.get(edge.target)
            if info is not None and info.category is not None:
                categories[edge.source][info.category.display()] += 1
    rankings = build.analysis.rankings
    vertex_of = {int(node): vertex for vertex, node in enumerate(rankings.accounts.tolist())}
    network_of = {node: summary for summary in build.analysis.networks for node in summary.members}
    by_country: dict[str, list[ReferralAccount]] = defaultdict(list)
    networks_by_country: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for node in graph.nodes_of(NodeKind.ACCOUNT).tolist():
        attribution = build.attributions.get(node)
        if attribution is None or attribution.country is None:
            continue
        vertex = vertex_of[node]
        summary = network_of.get(node)
        media = held.get(node, set())
        by_country[attribution.country].append(
            ReferralAccount(
                key=graph.keys[node],
                label=graph.label(node),
                identifiers=tuple(sorted(identifiers.get(node, set()))),
                basis=attribution.basis.value,
                basis_evidence=attribution.evidence,
                reports=tuple(sorted(reports.get(node, set()))),
                media=len(media),
                known_media=sum(1 for item in media if item in build.known),
                categories=tuple(sorted(categories.get(node, {}).items())),
                network=None if summary is None else summary.network_id,
                capital=float(rankings.capital[vertex]),
                pagerank=float(rankings.pagerank[vertex]),
            )
        )
        if summary is not None:
            networks_by_country[attribution.country][summary.network_id] += 1
    packages = []
    for country in sorted(by_country):
        accounts = sorted(by_country[country], key=lambda item: (-item.capital, item.key))
        networks = []
        for network_id, here in sorted(networks_by_country[country].items()):
            summary = build.network(network_id)
            if summary is None:
                continue
            networks.append(
                ReferralNetwork(
                    network_id,
                    summary.size,
                    here,
                    summary.countries,
                    summary.media,
                    summary.known_media,
                    summary.new_media,
                    summary.categories,
                    summary.first_seen,
                    summary.last_seen,
                )
            )
        packages.append(
            Referral(country, build.build_id, build.created_at, tuple(accounts), tuple(networks))
        )
    return tuple(packages)
