"""Small typed graphs built by code, for the network tests."""

from __future__ import annotations

from interlink.network.model import GraphBuilder, NodeKind, Relation, TypedGraph


def holdings_graph(
    holdings: dict[str, list[str]], sent: tuple[tuple[str, str], ...] = ()
) -> tuple[TypedGraph, dict[str, int]]:
    """Accounts sharing media: ``{account: [media, ...]}`` plus ``sent_to`` pairs."""
    builder = GraphBuilder()
    nodes: dict[str, int] = {}
    for account, media in holdings.items():
        nodes[account] = builder.node(NodeKind.ACCOUNT, account)
        for item in media:
            nodes[item] = builder.node(NodeKind.MEDIA, item)
            builder.edge(nodes[account], nodes[item], Relation.SHARED)
    for sender, receiver in sent:
        builder.edge(nodes[sender], nodes[receiver], Relation.SENT_TO)
    return builder.build(), nodes
