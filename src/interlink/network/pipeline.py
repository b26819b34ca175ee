"""From reports to networks: resolve, attribute, project, detect, summarise and rank.

``graph_from_reports`` builds the typed graph (entity resolution plus country attribution);
``analyse`` does everything after it on any ``TypedGraph`` (so a graph built from arrays is
analysed the same way); ``build_networks`` chains the two into one ``NetworkBuild``, the
record the repository stores.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from interlink.domain.chats import ChatThread
from interlink.domain.reports import ReceivedReport
from interlink.network.attribution import Attribution, Basis, attribute_all
from interlink.network.chats import add_threads
from interlink.network.communities import CommunitySettings, Partition, detect, to_igraph
from interlink.network.model import GraphBuilder, NodeKind, Relation, TypedGraph
from interlink.network.ports import GeoIpLookup, KnownInfo, KnownMedia
from interlink.network.projection import (
    HOLDING_RELATIONS,
    Projection,
    ProjectionSettings,
    memberships,
    project,
)
from interlink.network.ranking import Rankings, RankingSettings, rank
from interlink.network.removal import RemovalPlan, greedy_removal
from interlink.network.resolve import Merge, ResolveSettings, resolve
from interlink.network.severity import NEW_MEDIA, severity
from interlink.network.summaries import NetworkSummary, summarise

#: Confidence of an account -> country edge, by the rule that placed it.
BASIS_CONFIDENCE: Mapping[Basis, float] = MappingProxyType(
    {
        Basis.VERIFIED_LOCATION: 1.0,
        Basis.IP_GEOLOCATION: 0.8,
        Basis.PLATFORM_ESTIMATE: 0.5,
        Basis.PLATFORM_COUNTRY: 0.3,
    }
)


@dataclass(frozen=True, slots=True)
class BuildSettings:
    """Every parameter of a build; ``removal_k`` accounts are planned for removal and
    communities smaller than ``min_network_size`` are not networks."""

    resolve: ResolveSettings = field(default_factory=ResolveSettings)
    projection: ProjectionSettings = field(default_factory=ProjectionSettings)
    communities: CommunitySettings = field(default_factory=CommunitySettings)
    ranking: RankingSettings = field(default_factory=RankingSettings)
    removal_k: int = 10
    min_network_size: int = 2


@dataclass(frozen=True, eq=False)
class NetworkAnalysis:
    """What ``analyse`` finds: the projection, its partition, per-account rankings, the
    network summaries (largest first) and the removal plan (vertices of the projection)."""

    projection: Projection
    partition: Partition
    rankings: Rankings
    networks: tuple[NetworkSummary, ...]
    removal: RemovalPlan
    timings: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, eq=False)
class NetworkBuild:
    """One build, as stored: the typed graph, the merges that made it, what is known of each
    media node, the media the platforms flagged viral, the country of each account node, and
    the analysis (which ``analyse`` recomputes from the rest and the settings)."""

    build_id: str
    created_at: datetime
    graph: TypedGraph
    merges: tuple[Merge, ...]
    known: Mapping[int, KnownInfo]
    attributions: Mapping[int, Attribution]
    analysis: NetworkAnalysis
    settings: BuildSettings
    report_count: int
    viral: frozenset[int] = frozenset()

    def network(self, network_id: str) -> NetworkSummary | None:
        """The network with display id ``network_id`` (``N1``, ...)."""
        for summary in self.analysis.networks:
            if summary.network_id == network_id:
                return summary
        return None


class _Clock:
    """Seconds spent in each named stage, for progress reports and benchmarks."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


def graph_from_reports(
    reports: Iterable[ReceivedReport],
    known_media: KnownMedia,
    geoip: GeoIpLookup | None = None,
    platform_countries: Mapping[str, str] | None = None,
    settings: ResolveSettings | None = None,
    chats: Iterable[ChatThread] = (),
) -> tuple[
    TypedGraph, tuple[Merge, ...], Mapping[int, KnownInfo], frozenset[int], dict[int, Attribution]
]:
    """The typed graph of ``reports`` and ``chats`` with country nodes, and ``(merges, known
    media, viral media, attributions)``; nodes are those of the returned graph."""
    builder = GraphBuilder()
    resolution = resolve(reports, builder, known_media, settings)
    known = {**add_threads(builder, chats, known_media), **resolution.known}
    attributions = attribute_all(resolution.evidence, geoip, platform_countries)
    for account, attribution in sorted(attributions.items()):
        if attribution.country is None:
            continue
        country = builder.node(NodeKind.COUNTRY, attribution.country)
        builder.edge(
            account,
            country,
            Relation.LOCATED_IN,
            confidence=BASIS_CONFIDENCE[attribution.basis],
        )
    graph = builder.build()
    return graph, resolution.merges, known, resolution.viral, attributions


def media_tables(
    graph: TypedGraph, known: Mapping[int, KnownInfo]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], tuple[npt.NDArray[np.int64], list[str]]]:
    """Per node: media severity, whether it is known, and its category code (with names)."""
    severities = np.full(graph.node_count, NEW_MEDIA, dtype=np.float64)
    is_known = np.zeros(graph.node_count, dtype=bool)
    codes = np.full(graph.node_count, -1, dtype=np.int64)
    names: dict[str, int] = {}
    for node, info in known.items():
        severities[node] = severity(info.category, True)
        is_known[node] = True
        if info.category is not None:
            codes[node] = names.setdefault(info.category.display(), len(names))
    return severities, is_known, (codes, list(names))


def analyse(
    graph: TypedGraph,
    known: Mapping[int, KnownInfo],
    viral: frozenset[int] = frozenset(),
    countries: Mapping[int, str] | None = None,
    settings: BuildSettings | None = None,
) -> NetworkAnalysis:
    """Project, detect communities, rank, summarise and plan removals on ``graph``.

    ``known`` says what is known of media nodes; ``viral`` are media the platform flagged;
    ``countries`` maps account nodes to their attributed country.
    """
    settings = settings or BuildSettings()
    clock = _Clock()
    projection = project(graph, settings.projection, viral)
    clock.lap("projection")
    igraph_graph = to_igraph(projection)
    clock.lap("igraph")
    partition = detect(igraph_graph, settings.communities)
    clock.lap("detection")
    lookup = np.full(graph.node_count, -1, dtype=np.int64)
    lookup[projection.accounts] = np.arange(projection.vertex_count)
    holdings = memberships(graph, lookup, HOLDING_RELATIONS)
    severities, is_known, categories = media_tables(graph, known)
    clock.lap("tables")
    rankings = rank(
        igraph_graph,
        projection,
        partition.membership,
        holdings,
        severities,
        is_known,
        settings.ranking,
    )
    clock.lap("ranking")
    networks = summarise(
        graph,
        projection.accounts,
        partition.membership,
        rankings.capital,
        holdings,
        is_known,
        categories,
        countries or {},
        settings.min_network_size,
    )
    clock.lap("summaries")
    removal = greedy_removal(
        holdings[0], holdings[1], is_known, projection.vertex_count, settings.removal_k
    )
    clock.lap("removal")
    return NetworkAnalysis(
        projection, partition, rankings, networks, removal, MappingProxyType(clock.laps)
    )


def build_networks(
    reports: Iterable[ReceivedReport],
    known_media: KnownMedia,
    *,
    build_id: str,
    created_at: datetime,
    geoip: GeoIpLookup | None = None,
    platform_countries: Mapping[str, str] | None = None,
    settings: BuildSettings | None = None,
    chats: Iterable[ChatThread] = (),
) -> NetworkBuild:
    """The whole build from received reports and chat threads."""
    settings = settings or BuildSettings()
    received = list(reports)
    graph, merges, known, viral, attributions = graph_from_reports(
        received, known_media, geoip, platform_countries, settings.resolve, chats
    )
    countries = {
        node: item.country for node, item in attributions.items() if item.country is not None
    }
    analysis = analyse(graph, known, viral, countries, settings)
    return NetworkBuild(
        build_id,
        created_at,
        graph,
        merges,
        MappingProxyType(dict(known)),
        MappingProxyType(dict(attributions)),
        analysis,
        settings,
        len(received),
        viral,
    )
