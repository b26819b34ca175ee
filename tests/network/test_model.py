from datetime import UTC, datetime

import numpy as np
import pytest

from interlink.domain.errors import FormatError
from interlink.network.model import (
    NO_TIME,
    GraphBuilder,
    NodeKind,
    Provenance,
    Relation,
    TypedGraph,
    kind_code,
    relation_code,
)


def test_builder_interns_nodes_and_provenance() -> None:
    builder = GraphBuilder()
    account = builder.node(NodeKind.ACCOUNT, "chatly/1", "alpha")
    again = builder.node(NodeKind.ACCOUNT, "chatly/1", "other label")
    media = builder.node(NodeKind.MEDIA, "sha256:" + "0" * 64)
    same_key_other_kind = builder.node(NodeKind.GROUP, "chatly/1")
    origin = Provenance("r1", "NCMEC", "op")
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    builder.edge(account, media, Relation.SHARED, time=moment, provenance=origin)
    builder.edge(
        account, same_key_other_kind, Relation.MEMBER_OF, confidence=0.5, provenance=origin
    )
    graph = builder.build()
    assert account == again and same_key_other_kind != account
    assert graph.node_count == 3 and graph.edge_count == 2
    assert graph.label(account) == "alpha"
    assert graph.label(media) == graph.keys[media]
    assert graph.provenances == (origin,)
    first = graph.edge(0)
    assert (first.relation, first.time, first.provenance) == (Relation.SHARED, moment, origin)
    assert graph.edge(1).time is None and graph.edge(1).confidence == 0.5
    assert graph.nodes_of(NodeKind.MEDIA).tolist() == [media]
    assert graph.edges_of(Relation.MEMBER_OF).tolist() == [1]
    assert graph.index()[(NodeKind.GROUP, "chatly/1")] == same_key_other_kind


def test_arrays_are_read_only() -> None:
    graph = GraphBuilder().build()
    with pytest.raises(ValueError):
        graph.source[:] = 1
    assert graph.edge_count == 0


def test_confidence_outside_unit_interval_is_refused() -> None:
    builder = GraphBuilder()
    node = builder.node(NodeKind.ACCOUNT, "a")
    with pytest.raises(ValueError):
        builder.edge(node, node, Relation.SENT_TO, confidence=1.5)


def test_from_arrays_checks_that_columns_fit() -> None:
    account = kind_code(NodeKind.ACCOUNT)
    shared = relation_code(Relation.SHARED)
    good = TypedGraph.from_arrays([account, account], ["a", "b"], [0], [1], [shared])
    assert good.time[0] == NO_TIME and good.provenance[0] == -1
    with pytest.raises(FormatError):
        TypedGraph.from_arrays([account], ["a", "b"], [], [], [])
    with pytest.raises(FormatError):
        TypedGraph.from_arrays([account], ["a"], [0], [1], [shared])
    with pytest.raises(FormatError):
        TypedGraph.from_arrays([account], ["a"], [0], [0, 0], [shared])
    with pytest.raises(FormatError):
        TypedGraph.from_arrays([99], ["a"], [], [], [])
    with pytest.raises(FormatError):
        TypedGraph.from_arrays([account], ["a"], [0], [0], [shared], provenance=np.array([0]))
