import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import igraph as ig

from interlink.adapters.memory.networks import InMemoryKnownMedia
from interlink.formats.graph_export import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    write_edge_csv,
    write_graphml,
    write_node_csv,
)
from interlink.network.export import node_attributes
from interlink.network.model import GraphBuilder, NodeKind, Provenance, Relation
from interlink.network.pipeline import build_networks
from tests.network.planted import planted_reports


def test_graphml_reads_back_with_kinds_labels_and_attributes(tmp_path: Path) -> None:
    builder = GraphBuilder()
    account = builder.node(NodeKind.ACCOUNT, "chatly/1", 'a <b> & "c"')
    media = builder.node(NodeKind.MEDIA, "sha256:" + "0" * 64)
    builder.edge(
        account,
        media,
        Relation.SHARED,
        time=datetime(2024, 1, 2, tzinfo=UTC),
        confidence=0.75,
        provenance=Provenance("r1", "NCMEC", None),
    )
    graph = builder.build()
    path = tmp_path / "g.graphml"
    path.write_bytes(b"".join(write_graphml(graph, {account: {"network": "N1", "capital": 2.5}})))
    loaded = ig.Graph.Read_GraphML(str(path))
    assert loaded.vcount() == 2 and loaded.ecount() == 1 and loaded.is_directed()
    assert loaded.vs["label"] == ['a <b> & "c"', graph.keys[media]]
    assert loaded.vs["kind"] == ["account", "media"]
    assert loaded.vs[0]["network"] == "N1" and loaded.vs[0]["capital"] == 2.5
    edge = loaded.es[0]
    assert edge["relation"] == "shared" and edge["confidence"] == 0.75
    assert edge["time"] == "2024-01-02T00:00:00+00:00" and edge["report"] == "r1"
    assert edge["agency"] == "NCMEC" and edge["case"] == ""


def test_csv_tables_follow_the_spreadsheet_import_layout() -> None:
    planted = planted_reports(networks=3, size=4)
    result = build_networks(
        planted.reports, InMemoryKnownMedia(), build_id="b", created_at=datetime.now(UTC)
    )
    attributes = node_attributes(result)
    nodes = list(csv.reader(io.StringIO("".join(write_node_csv(result.graph, attributes)))))
    edges = list(csv.reader(io.StringIO("".join(write_edge_csv(result.graph)))))
    assert nodes[0][:3] == ["Id", "Label", "Kind"] and len(nodes[0]) == 3 + len(NODE_COLUMNS)
    assert edges[0][:5] == ["Source", "Target", "Type", "Label", "Weight"]
    assert len(edges[0]) == 5 + len(EDGE_COLUMNS)
    assert len(nodes) == result.graph.node_count + 1
    assert len(edges) == result.graph.edge_count + 1
    ids = {row[0] for row in nodes[1:]}
    assert all(row[0] in ids and row[1] in ids and row[2] == "Directed" for row in edges[1:])
    header = nodes[0]
    accounts = [dict(zip(header, row, strict=True)) for row in nodes[1:] if row[2] == "account"]
    assert all(row["Network"].startswith("N") and len(row["Country"]) == 2 for row in accounts)
    assert {row[3] for row in edges[1:]} >= {"shared", "received", "sent_to", "located_in"}
