from itertools import combinations

import numpy as np

from interlink.network.removal import greedy_removal


def _removed(holder: np.ndarray, media: np.ndarray, known: np.ndarray, chosen: set[int]) -> int:
    gone = 0
    for item in set(media.tolist()):
        if not known[item]:
            continue
        holders = set(holder[media == item].tolist())
        gone += holders <= chosen
    return gone


def test_greedy_takes_the_sole_holder_of_many_first_and_counts_right() -> None:
    # vertex 0 alone holds media 10-14; vertices 1 and 2 both hold 20 and 21; 3 holds 30.
    pairs = [(0, m) for m in range(10, 15)] + [(1, 20), (1, 21), (2, 20), (2, 21), (3, 30)]
    holder = np.array([p[0] for p in pairs])
    media = np.array([p[1] for p in pairs])
    known = np.zeros(40, dtype=bool)
    known[[10, 11, 12, 13, 14, 20, 21, 30]] = True
    plan = greedy_removal(holder, media, known, vertex_count=4, k=3)
    assert plan.vertices[0] == 0
    assert plan.removed_media[0] == 5
    assert set(plan.vertices[1:]) == {1, 2}
    assert plan.total == 7


def test_unknown_media_never_count_and_the_plan_stops_when_nothing_is_left() -> None:
    holder = np.array([0, 1])
    media = np.array([5, 6])
    known = np.zeros(7, dtype=bool)
    known[5] = True
    plan = greedy_removal(holder, media, known, vertex_count=2, k=5)
    assert plan.vertices == (0,)
    assert plan.total == 1


def test_reported_totals_match_a_recount_and_stay_near_the_best() -> None:
    rng = np.random.default_rng(11)
    for _ in range(20):
        holder = rng.integers(0, 7, 30)
        media = rng.integers(0, 12, 30)
        keys = np.unique(holder * 100 + media)
        holder, media = keys // 100, keys % 100
        known = rng.random(100) < 0.7
        plan = greedy_removal(holder, media, known, vertex_count=7, k=3)
        for step in range(len(plan.vertices)):
            chosen = set(plan.vertices[: step + 1])
            assert plan.removed_media[step] == _removed(holder, media, known, chosen)
        best = max(_removed(holder, media, known, set(c)) for c in combinations(range(7), 3))
        assert plan.total >= best - 2
