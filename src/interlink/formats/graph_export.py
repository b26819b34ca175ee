"""Graph exports other tools import: GraphML, and a node CSV plus an edge CSV.

GraphML (graphml.graphdrawing.org) opens in Gephi, yEd, Cytoscape and Maltego's graph
import; the CSV pair follows Gephi's spreadsheet import (``Id``/``Label`` for nodes,
``Source``/``Target``/``Type``/``Label``/``Weight`` for edges) and carries a ``Kind`` column
(the entity type) and a ``Relation`` column (the link type) that i2 Analyst's Notebook and
Maltego import specifications map to entity and link types. Node ids are ``n<index>``;
times are ISO 8601 UTC. Writers stream: pieces out, nothing held.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape

from interlink.network.model import TypedGraph

ColumnType = Literal["string", "int", "double"]
Value = str | int | float


@dataclass(frozen=True, slots=True)
class Column:
    """A node attribute: its name and GraphML type."""

    name: str
    type: ColumnType


#: Node attributes the exports carry, beyond id, label and kind (empty where not set).
NODE_COLUMNS: tuple[Column, ...] = (
    Column("key", "string"),
    Column("network", "string"),
    Column("country", "string"),
    Column("degree", "int"),
    Column("pagerank", "double"),
    Column("betweenness", "double"),
    Column("capital", "double"),
    Column("category", "string"),
    Column("known", "string"),
    Column("first_seen", "string"),
    Column("last_seen", "string"),
)
EDGE_COLUMNS: tuple[Column, ...] = (
    Column("relation", "string"),
    Column("time", "string"),
    Column("confidence", "double"),
    Column("report", "string"),
    Column("agency", "string"),
    Column("case", "string"),
)
NodeAttributes = Mapping[int, Mapping[str, Value]]


def _node_values(graph: TypedGraph, node: int, attributes: NodeAttributes) -> dict[str, Value]:
    values: dict[str, Value] = {"key": graph.keys[node]}
    values.update(graph.details.get(node, {}))
    values.update(attributes.get(node, {}))
    return values


def _edge_values(graph: TypedGraph, index: int) -> dict[str, Value]:
    edge = graph.edge(index)
    values: dict[str, Value] = {
        "relation": edge.relation.value,
        "confidence": round(edge.confidence, 4),
    }
    if edge.time is not None:
        values["time"] = edge.time.isoformat()
    if edge.provenance is not None:
        for name in ("report_id", "agency", "case"):
            value = getattr(edge.provenance, name)
            if value is not None:
                values["report" if name == "report_id" else name] = value
    return values


def _text(value: Value) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def write_graphml(graph: TypedGraph, attributes: NodeAttributes | None = None) -> Iterator[bytes]:
    """The graph as GraphML (directed), in UTF-8 pieces; ``attributes`` adds node values
    (see ``NODE_COLUMNS``) by node."""
    extra = attributes or {}
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
        '  <key id="kind" for="node" attr.name="kind" attr.type="string"/>',
    ]
    for column in NODE_COLUMNS:
        head.append(
            f'  <key id="{column.name}" for="node" attr.name="{column.name}"'
            f' attr.type="{column.type}"/>'
        )
    for column in EDGE_COLUMNS:
        head.append(
            f'  <key id="e_{column.name}" for="edge" attr.name="{column.name}"'
            f' attr.type="{column.type}"/>'
        )
    head.append('  <graph id="interlink" edgedefault="directed">')
    yield ("\n".join(head) + "\n").encode("utf-8")
    names = {column.name for column in NODE_COLUMNS}
    for node in range(graph.node_count):
        values = _node_values(graph, node, extra)
        parts = [
            f'    <node id="n{node}">',
            f'<data key="label">{escape(graph.label(node))}</data>',
            f'<data key="kind">{graph.kind(node).value}</data>',
        ]
        parts += [
            f'<data key="{name}">{escape(_text(value))}</data>'
            for name, value in values.items()
            if name in names
        ]
        yield ("".join(parts) + "</node>\n").encode("utf-8")
    for index in range(graph.edge_count):
        values = _edge_values(graph, index)
        source, target = int(graph.source[index]), int(graph.target[index])
        parts = [f'    <edge id="e{index}" source="n{source}" target="n{target}">']
        parts += [
            f'<data key="e_{name}">{escape(_text(value))}</data>' for name, value in values.items()
        ]
        yield ("".join(parts) + "</edge>\n").encode("utf-8")
    yield b"  </graph>\n</graphml>\n"


def _csv_line(row: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue()


def write_node_csv(graph: TypedGraph, attributes: NodeAttributes | None = None) -> Iterator[str]:
    """The node table: ``Id,Label,Kind`` then ``NODE_COLUMNS`` (title-cased)."""
    extra = attributes or {}
    header = ["Id", "Label", "Kind"] + [
        column.name.title().replace("_", "") for column in NODE_COLUMNS
    ]
    yield _csv_line(header)
    for node in range(graph.node_count):
        values = _node_values(graph, node, extra)
        row = [f"n{node}", graph.label(node), graph.kind(node).value]
        row += [_text(values[c.name]) if c.name in values else "" for c in NODE_COLUMNS]
        yield _csv_line(row)


def write_edge_csv(graph: TypedGraph) -> Iterator[str]:
    """The edge table: ``Source,Target,Type,Label,Weight`` then ``EDGE_COLUMNS``; ``Type`` is
    always ``Directed``, ``Label`` the relation and ``Weight`` the confidence."""
    header = ["Source", "Target", "Type", "Label", "Weight"]
    header += [column.name.title() for column in EDGE_COLUMNS]
    yield _csv_line(header)
    for index in range(graph.edge_count):
        values = _edge_values(graph, index)
        row = [
            f"n{int(graph.source[index])}",
            f"n{int(graph.target[index])}",
            "Directed",
            str(values["relation"]),
            _text(values["confidence"]),
        ]
        row += [_text(values[c.name]) if c.name in values else "" for c in EDGE_COLUMNS]
        yield _csv_line(row)
