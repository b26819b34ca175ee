from __future__ import annotations

import numpy as np
import pytest

from interlink.index.codes import codes_to_hex
from interlink.index.hamming import HammingIndex
from interlink.signals import pdq
from interlink.triage import duplicates
from interlink.triage.duplicates import PdqSignal, visual_groups


def _signals(count: int, seed: int) -> dict[str, PdqSignal]:
    """Random hashes with 8 variants each, some of them near copies (a few bits flipped) of
    others, of another's variant, or right at the threshold."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 2**63, size=(count, 8, 4), dtype=np.uint64)
    codes[:, :, 0] |= rng.integers(0, 2, size=(count, 8), dtype=np.uint64) << np.uint64(63)
    for i in range(1, count, 3):
        source = int(rng.integers(0, i))
        flips = int(rng.integers(pdq.THRESHOLD - 2, pdq.THRESHOLD + 3))
        copy = codes[source, int(rng.integers(0, 8))].copy()
        for bit in rng.choice(256, size=flips, replace=False):
            copy[bit // 64] ^= np.uint64(1) << np.uint64(int(bit) % 64)
        codes[i, 0] = copy
    signals = {}
    for i in range(count):
        hexes = codes_to_hex(codes[i])
        quality = None if i % 7 == 0 else int(rng.integers(40, 101))
        signals[f"m{i:04d}"] = PdqSignal(hexes[0], quality, tuple(hexes) if i % 5 else ())
    return signals


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_brute_force_finds_the_index_groups(seed: int) -> None:
    signals = _signals(300, seed)
    brute = visual_groups(signals)
    indexed = visual_groups(signals, index=HammingIndex)
    assert brute == indexed
    assert any(len(group) > 2 for group in brute)


def test_beyond_the_brute_force_size_the_index_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    signals = _signals(120, 4)
    expected = visual_groups(signals)
    monkeypatch.setattr(duplicates, "BRUTE_FORCE_MAX", 10)
    monkeypatch.setattr(duplicates, "near_pairs", None)  # would fail if called
    assert visual_groups(signals) == expected and expected
