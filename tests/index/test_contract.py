"""The contract every Hamming index follows, checked against brute force.

Add an implementation to ``HAMMING_INDEXES`` and it runs the whole suite.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from interlink.index.base import Hit, SignalIndex
from interlink.index.brute import BruteForceHammingIndex
from interlink.index.exact import ExactIndex

HAMMING_INDEXES: dict[str, Callable[[], Any]] = {"brute": BruteForceHammingIndex}
LOADERS: dict[str, Callable[[Path], Any]] = {"brute": BruteForceHammingIndex.load}


def _random_code(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def _flip(code: str, bits: int, rng: random.Random) -> str:
    value = int(code, 16)
    for position in rng.sample(range(256), bits):
        value ^= 1 << position
    return f"{value:064x}"


def _brute(stored: dict[int, str], query: str, radius: int) -> list[Hit]:
    q = int(query, 16)
    hits = [Hit((int(v, 16) ^ q).bit_count(), i) for i, v in stored.items()]
    return sorted(h for h in hits if h.distance <= radius)


@pytest.fixture(params=sorted(HAMMING_INDEXES))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_finds_exactly_what_brute_force_finds(kind: str, tmp_path: Path) -> None:
    rng = random.Random(7)
    index: SignalIndex = HAMMING_INDEXES[kind]()
    stored = {i: _random_code(rng) for i in range(300)}
    index.add(list(stored.values()), list(stored))
    queries = [_flip(stored[i], rng.randint(0, 40), rng) for i in range(0, 300, 7)]
    queries += [_random_code(rng) for _ in range(10)]
    for radius in (0, 8, 31, 40):
        for query in queries:
            assert index.query(query, radius) == _brute(stored, query, radius)
    removed = index.remove(range(0, 300, 2))
    assert removed == 150
    for i in range(0, 300, 2):
        del stored[i]
    index.save(tmp_path / "index.bin")
    reopened: SignalIndex = LOADERS[kind](tmp_path / "index.bin")
    assert len(reopened) == len(stored)
    batch = reopened.query_batch(queries, [31] * len(queries))
    assert batch == [_brute(stored, q, 31) for q in queries]


def test_variants_give_each_id_once_with_its_smallest_distance(kind: str) -> None:
    index: SignalIndex = HAMMING_INDEXES[kind]()
    a = "0" * 64
    b = "f" * 64
    index.add([a, b], [1, 2])
    near_a = "1" + "0" * 63
    assert index.query_variants([near_a, a, b], 31) == [Hit(0, 1), Hit(0, 2)]
    assert index.query_variants([near_a], 31) == [Hit(1, 1)]


def test_exact_index_contract(tmp_path: Path) -> None:
    index = ExactIndex()
    index.add(["aa", "bb", "aa"], [1, 2, 3])
    index.add(["aa"], [1])
    assert len(index) == 3
    assert index.query("aa") == [Hit(0, 1), Hit(0, 3)]
    assert index.query_batch(["bb", "cc"]) == [[Hit(0, 2)], []]
    with pytest.raises(ValueError, match="radius 0"):
        index.query("aa", 5)
    assert index.remove([1]) == 1
    index.save(tmp_path / "exact.json")
    reopened = ExactIndex.load(tmp_path / "exact.json")
    assert reopened.query("aa") == [Hit(0, 3)]
    assert len(reopened) == 2
