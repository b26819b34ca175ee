import math

import numpy as np

from interlink.domain.categories import Category
from interlink.network.communities import detect, to_igraph
from interlink.network.projection import (
    HOLDING_RELATIONS,
    Projection,
    account_positions,
    memberships,
    project,
)
from interlink.network.ranking import RankingSettings, pagerank, rank
from interlink.network.severity import NEW_MEDIA, severity
from tests.network.graphs import holdings_graph


def _ranked(exact_limit: int = 5000):  # type: ignore[no-untyped-def]
    # Two stars: hub "h" shares a different media with each of a..d; "x"-"y" share one, and
    # "a" also shares one with "x" (a bridge between the stars).
    graph, nodes = holdings_graph(
        {
            "h": ["m1", "m2", "m3", "m4"],
            "a": ["m1", "bridge"],
            "b": ["m2"],
            "c": ["m3"],
            "d": ["m4"],
            "x": ["m5", "bridge"],
            "y": ["m5"],
        }
    )
    projection = project(graph)
    igraph_graph = to_igraph(projection)
    partition = detect(igraph_graph)
    _, position = account_positions(graph)
    holdings = memberships(graph, position, HOLDING_RELATIONS)
    severities = np.full(graph.node_count, NEW_MEDIA)
    known = np.zeros(graph.node_count, dtype=bool)
    severities[nodes["m1"]] = severity(Category("industry", "A1"), True)
    known[nodes["m1"]] = True
    rankings = rank(
        igraph_graph,
        projection,
        partition.membership,
        holdings,
        severities,
        known,
        RankingSettings(exact_betweenness=exact_limit),
    )
    vertex = {
        name: int(np.flatnonzero(projection.accounts == node)[0])
        for name, node in nodes.items()
        if name in "habcdxy"
    }
    return rankings, vertex


def test_the_hub_has_the_highest_degree_pagerank_and_capital() -> None:
    rankings, vertex = _ranked()
    assert rankings.top("degree", 1) == [vertex["h"]]
    assert rankings.top("pagerank", 1) == [vertex["h"]]
    assert rankings.top("capital", 1) == [vertex["h"]]
    assert rankings.betweenness_method == "exact"
    # a bridges the stars: its betweenness beats every leaf's.
    assert rankings.betweenness[vertex["a"]] > rankings.betweenness[vertex["b"]]


def test_capital_is_severity_volume_times_log_connectivity() -> None:
    rankings, vertex = _ranked()
    h = vertex["h"]
    volume = 1.0 + 3 * NEW_MEDIA  # m1 is A1, m2-m4 are new
    assert math.isclose(rankings.volume[h], volume)
    assert math.isclose(rankings.capital[h], volume * math.log2(2 + 4))
    assert rankings.media[h] == 4 and rankings.known_media[h] == 1


def test_big_graphs_get_within_network_betweenness() -> None:
    exact, _ = _ranked()
    within, _ = _ranked(exact_limit=5)
    cut, _ = _ranked(exact_limit=3)
    assert within.betweenness_method == "within-network"
    assert cut.betweenness_method == "within-network, cutoff 4"
    # Paths through links between networks no longer count: never more than on the whole.
    assert (within.betweenness <= exact.betweenness + 1e-9).all()
    assert within.betweenness.sum() < exact.betweenness.sum()


def test_top_can_be_restricted_and_breaks_ties_by_vertex() -> None:
    rankings, vertex = _ranked()
    leaves = np.array(sorted(vertex[name] for name in "bcd"))
    assert rankings.top("degree", 3, among=leaves) == leaves.tolist()


def test_pagerank_agrees_with_igraph_including_isolated_accounts() -> None:
    rng = np.random.default_rng(2)
    source = rng.integers(0, 30, 80)
    target = rng.integers(0, 30, 80)
    keep = source < target
    keys = np.unique(source[keep] * 40 + target[keep])
    projection = Projection(
        np.arange(40, dtype=np.int64),  # accounts 30-39 have no links
        (keys // 40).astype(np.int64),
        (keys % 40).astype(np.int64),
        rng.random(len(keys)) + 0.1,
    )
    expected = np.asarray(to_igraph(projection).pagerank(weights="weight"))
    assert np.allclose(pagerank(projection), expected, atol=1e-9)
    assert math.isclose(pagerank(projection).sum(), 1.0)
