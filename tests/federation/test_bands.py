"""PDQ band tokens: the design's false-candidate bound, exact recall, shared tokens."""

from __future__ import annotations

import random

from interlink.federation.bands import BandDesign, band_tokens, band_tokens_many, design, recall


def _flip(value: int, rng: random.Random, distance: int) -> str:
    for bit in rng.sample(range(256), distance):
        value ^= 1 << bit
    return f"{value:064x}"


def test_design_keeps_false_candidates_under_the_bound() -> None:
    for n in (1, 12, 10_000, 1_000_000, 10**8):
        chosen = design(n)
        assert chosen.bands * n / 2**chosen.width <= 1e-3
        assert chosen.bands == 256 // chosen.width
    assert design(1_000_000) == BandDesign(33, 7)


def test_recall_is_exact() -> None:
    chosen = BandDesign(27, 9)
    assert recall(chosen, 0) == recall(chosen, 8) == 1.0  # fewer flips than bands
    rng = random.Random(7)
    trials = 3000
    values = [rng.getrandbits(256) for _ in range(trials)]
    mine = band_tokens_many([f"{v:064x}" for v in values], chosen)
    near = band_tokens_many([_flip(v, rng, 16) for v in values], chosen)
    found = sum(bool(set(a) & set(b)) for a, b in zip(mine, near, strict=True))
    assert abs(found / trials - recall(chosen, 16)) < 0.04


def test_tokens_are_tagged_by_band_and_batch_matches_single() -> None:
    rng = random.Random(3)
    values = [f"{rng.getrandbits(256):064x}" for _ in range(20)]
    chosen = design(100)
    assert band_tokens_many(values, chosen) == [band_tokens(v, chosen) for v in values]
    tokens = band_tokens(values[0], chosen)
    assert [t.split(":")[2] for t in tokens] == [str(i) for i in range(chosen.bands)]
    assert band_tokens_many([], chosen) == []
