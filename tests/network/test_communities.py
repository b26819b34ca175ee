import igraph as ig
import numpy as np

from interlink.network.communities import CommunitySettings, canonical, detect, to_igraph
from interlink.network.projection import Projection


def _ring_of_cliques(cliques: int, size: int) -> tuple[Projection, list[int]]:
    """The classic resolution-limit graph: cliques in a ring, joined by single links."""
    source, target, truth = [], [], []
    for clique in range(cliques):
        base = clique * size
        truth += [clique] * size
        for i in range(size):
            for j in range(i + 1, size):
                source.append(base + i)
                target.append(base + j)
        nxt = ((clique + 1) % cliques) * size
        source.append(min(base, nxt))
        target.append(max(base, nxt))
    count = cliques * size
    projection = Projection(
        np.arange(count, dtype=np.int64),
        np.array(source, dtype=np.int64),
        np.array(target, dtype=np.int64),
        np.ones(len(source)),
    )
    return projection, truth


def test_cpm_separates_small_networks_that_modularity_merges() -> None:
    projection, truth = _ring_of_cliques(cliques=40, size=4)
    graph = to_igraph(projection)
    cpm = detect(graph)
    modularity = detect(graph, CommunitySettings(objective="modularity", resolution=1.0))
    cpm_ari = ig.compare_communities(truth, cpm.membership.tolist(), method="adjusted_rand")
    mod_ari = ig.compare_communities(truth, modularity.membership.tolist(), method="adjusted_rand")
    assert cpm_ari == 1.0
    assert len(cpm.sizes) == 40
    assert mod_ari < 0.9 and len(modularity.sizes) < 40


def test_detection_is_deterministic_for_a_seed() -> None:
    projection, _ = _ring_of_cliques(cliques=12, size=5)
    graph = to_igraph(projection)
    first = detect(graph, CommunitySettings(seed=3))
    second = detect(graph, CommunitySettings(seed=3))
    assert first.membership.tolist() == second.membership.tolist()


def test_canonical_ids_go_by_size_then_first_member() -> None:
    labels, sizes = canonical([7, 7, 3, 9, 9, 9, 3])
    assert labels.tolist() == [1, 1, 2, 0, 0, 0, 2]
    assert sizes.tolist() == [3, 2, 2]


def test_an_empty_graph_has_no_communities() -> None:
    nothing = np.zeros(0, dtype=np.int64)
    empty = Projection(nothing, nothing, nothing, np.zeros(0))
    partition = detect(to_igraph(empty))
    assert len(partition.membership) == 0 and len(partition.sizes) == 0
