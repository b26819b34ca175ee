import numpy as np

from interlink.network.projection import ProjectionSettings, project
from tests.network.graphs import holdings_graph


def _links(graph_nodes: dict[str, int], projection: object) -> dict[tuple[str, str], float]:
    from interlink.network.projection import Projection

    assert isinstance(projection, Projection)
    names = {node: name for name, node in graph_nodes.items()}
    found = {}
    for s, t, w in zip(projection.source, projection.target, projection.weight, strict=True):
        a, b = sorted((names[int(projection.accounts[s])], names[int(projection.accounts[t])]))
        found[(a, b)] = round(float(w), 6)
    return found


def test_each_hub_adds_one_over_holders_minus_one_per_pair() -> None:
    graph, nodes = holdings_graph(
        {"a": ["m1", "m2"], "b": ["m1", "m2"], "c": ["m2"], "d": ["m3"]},
        sent=(("d", "a"), ("d", "a")),
    )
    links = _links(nodes, project(graph))
    assert links == {
        ("a", "b"): round(1.0 + 0.5, 6),  # m1 (2 holders) + m2 (3 holders)
        ("a", "c"): 0.5,
        ("b", "c"): 0.5,
        ("a", "d"): 2.0,  # two sent_to edges
    }


def test_repeated_edges_to_one_media_count_once() -> None:
    graph, nodes = holdings_graph({"a": ["m", "m", "m"], "b": ["m"]})
    assert _links(nodes, project(graph)) == {("a", "b"): 1.0}


def test_hubs_over_the_cap_and_viral_media_link_nobody() -> None:
    holders = {f"u{index}": ["popular"] for index in range(6)}
    holders["u0"] = ["popular", "meme"]
    holders["u1"] = ["popular", "meme", "rare"]
    holders["u2"] = ["popular", "rare"]
    graph, nodes = holdings_graph(holders)
    links = _links(nodes, project(graph, ProjectionSettings(hub_cap=5), exclude={nodes["meme"]}))
    assert links == {("u1", "u2"): 1.0}


def test_projection_links_are_unique_and_ordered() -> None:
    rng = np.random.default_rng(5)
    holders = {f"a{i}": [f"m{j}" for j in rng.choice(30, 4, replace=False)] for i in range(40)}
    graph, _ = holdings_graph(holders)
    projection = project(graph)
    assert (projection.source < projection.target).all()
    pairs = set(zip(projection.source.tolist(), projection.target.tolist(), strict=True))
    assert len(pairs) == len(projection.source)
    assert (projection.weight > 0).all()
    # Each account gets at most one unit of weight per hub it holds.
    strength = np.bincount(projection.source, projection.weight, 40) + np.bincount(
        projection.target, projection.weight, 40
    )
    assert (strength <= 4 + 1e-9).all()
