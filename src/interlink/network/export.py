"""Node attributes of a build for the exports: network, country, scores, media category."""

from __future__ import annotations

from interlink.formats.graph_export import Value
from interlink.network.model import NodeKind
from interlink.network.pipeline import NetworkBuild


def node_attributes(build: NetworkBuild) -> dict[int, dict[str, Value]]:
    """Per node: ``network`` and ``country`` and the scores for accounts; ``category`` and
    ``known`` for media."""
    found: dict[int, dict[str, Value]] = {}
    analysis = build.analysis
    rankings = analysis.rankings
    for summary in analysis.networks:
        for node in summary.members:
            found.setdefault(node, {})["network"] = summary.network_id
    for vertex, node in enumerate(rankings.accounts.tolist()):
        values = found.setdefault(node, {})
        values["degree"] = int(rankings.degree[vertex])
        values["pagerank"] = round(float(rankings.pagerank[vertex]), 8)
        values["betweenness"] = round(float(rankings.betweenness[vertex]), 4)
        values["capital"] = round(float(rankings.capital[vertex]), 4)
        attribution = build.attributions.get(node)
        if attribution is not None and attribution.country is not None:
            values["country"] = attribution.country
    for node in build.graph.nodes_of(NodeKind.MEDIA).tolist():
        info = build.known.get(node)
        values = found.setdefault(node, {})
        values["known"] = "true" if info is not None else "false"
        if info is not None and info.category is not None:
            values["category"] = info.category.display()
    return found
