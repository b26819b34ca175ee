"""The contract every Hamming index follows, checked against brute force.

Add an implementation to ``HAMMING_INDEXES`` and it runs the whole suite. ``hamming-tables``
is the multi-index Hamming index forced onto its tables at every size (no scanning), so the
small sets here exercise the same search paths as national-scale ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from interlink.index.base import HammingCodeIndex, Hit, SignalIndex
from interlink.index.brute import BruteForceHammingIndex
from interlink.index.codes import codes_from_hex
from interlink.index.exact import ExactIndex
from interlink.index.hamming import HammingIndex
from interlink.index.planner import CostModel

#: Scanning never looks cheaper, and even tiny segments get tables.
TABLES_ONLY = CostModel(scan=1e12)


def tables_index(flush_rows: int = 16) -> HammingIndex:
    """A Hamming index that always searches through tables and forms segments quickly."""
    return HammingIndex(model=TABLES_ONLY, scan_below=0, flush_rows=flush_rows, budget=1e9)


HAMMING_INDEXES: dict[str, Callable[[], Any]] = {
    "brute": BruteForceHammingIndex,
    "hamming": HammingIndex,
    "hamming-tables": tables_index,
}
LOADERS: dict[str, Callable[[Path], Any]] = {
    "brute": BruteForceHammingIndex.load,
    "hamming": HammingIndex.load,
    "hamming-tables": HammingIndex.load,
}


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


def test_array_path_answers_like_the_string_path(kind: str) -> None:
    rng = random.Random(3)
    index = HAMMING_INDEXES[kind]()
    values = [_random_code(rng) for _ in range(200)]
    index.add(values, list(range(200)))
    index.add_codes(codes_from_hex(values[:20]), np.arange(1000, 1020))
    queries = [_flip(v, rng.randint(0, 35), rng) for v in values[::9]]
    radii = [rng.randint(0, 40) for _ in queries]
    matches = index.query_codes(codes_from_hex(queries), np.asarray(radii))
    expected = index.query_batch(queries, radii)
    assert [matches.hits(i) for i in range(len(queries))] == expected
    grouped = np.stack([codes_from_hex(queries[i : i + 2]) for i in range(0, 10, 2)])
    per_image = index.query_variant_codes(grouped, 31)
    for image in range(5):
        assert per_image.hits(image) == index.query_variants(queries[2 * image : 2 * image + 2], 31)


# -- property: any sequence of adds, deletes, saves and loads ------------------------------------

_CENTRES = [random.Random(seed).getrandbits(256) for seed in range(6)]


@st.composite
def codes(draw: st.DrawFn) -> str:
    """Codes in tight clusters (correlated, like real PDQ) or uniform, half and half."""
    if draw(st.booleans()):
        value = draw(st.integers(0, 2**256 - 1))
    else:
        value = _CENTRES[draw(st.integers(0, len(_CENTRES) - 1))]
        for position in draw(st.lists(st.integers(0, 255), max_size=24)):
            value ^= 1 << position
    return f"{value:064x}"


class IndexMachine(RuleBasedStateMachine):
    """Drives an index and a plain model of its pairs through the same operations."""

    make: Callable[[], Any] = staticmethod(tables_index)
    load: Callable[[Path], Any] = staticmethod(HammingIndex.load)
    radii = st.integers(0, 70)
    directory: Path = Path()

    @initialize()
    def start(self) -> None:
        self.index = self.make()
        self.model: list[tuple[str, int]] = []
        self.saves = 0

    @rule(batch=st.lists(st.tuples(codes(), st.integers(0, 40)), max_size=40))
    def add(self, batch: list[tuple[str, int]]) -> None:
        self.index.add([v for v, _ in batch], [i for _, i in batch])
        self.model.extend(batch)

    @rule(ids=st.lists(st.integers(0, 45), max_size=6))
    def remove(self, ids: list[int]) -> None:
        gone = set(ids)
        expected = sum(1 for _, i in self.model if i in gone)
        assert self.index.remove(ids) == expected
        self.model = [(v, i) for v, i in self.model if i not in gone]

    @rule()
    def save_and_load(self) -> None:
        self.saves += 1
        path = self.directory / f"index-{self.saves % 2}"
        self.index.save(path)
        self.index = self.load(path)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def query_near_a_stored_code(self, data: st.DataObject) -> None:
        value, _ = data.draw(st.sampled_from(self.model))
        flips = data.draw(st.lists(st.integers(0, 255), max_size=40))
        query = int(value, 16)
        for position in flips:
            query ^= 1 << position
        self._check(f"{query:064x}", data.draw(self.radii))

    @rule(query=codes(), radius=radii)
    def query_anywhere(self, query: str, radius: int) -> None:
        self._check(query, radius)

    def _check(self, query: str, radius: int) -> None:
        best: dict[int, int] = {}
        q = int(query, 16)
        for value, ident in self.model:
            distance = (int(value, 16) ^ q).bit_count()
            if distance <= radius and distance < best.get(ident, 999):
                best[ident] = distance
        assert self.index.query(query, radius) == sorted(Hit(d, i) for i, d in best.items())

    @invariant()
    def sizes_agree(self) -> None:
        assert len(self.index) == len(self.model)


_PROPERTY = settings(
    max_examples=40,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["hamming-tables", "hamming"])
def test_hamming_index_equals_brute_force_after_any_operations(kind: str, tmp_path: Path) -> None:
    machine = type(
        "Machine",
        (IndexMachine,),
        {"make": staticmethod(HAMMING_INDEXES[kind]), "directory": tmp_path},
    )
    run_state_machine_as_test(machine, settings=_PROPERTY)


class ExactMachine(RuleBasedStateMachine):
    """The exact index against a set of (value, id) pairs."""

    directory: Path = Path()

    @initialize()
    def start(self) -> None:
        self.index = ExactIndex(flush_rows=8)
        self.model: set[tuple[str, int]] = set()
        self.saves = 0

    @rule(
        batch=st.lists(
            st.tuples(st.sampled_from([f"{i:032x}" for i in range(12)]), st.integers(0, 20)),
            max_size=30,
        )
    )
    def add(self, batch: list[tuple[str, int]]) -> None:
        self.index.add([v for v, _ in batch], [i for _, i in batch])
        self.model.update(batch)

    @rule(ids=st.lists(st.integers(0, 22), max_size=5))
    def remove(self, ids: list[int]) -> None:
        gone = set(ids)
        expected = sum(1 for _, i in self.model if i in gone)
        assert self.index.remove(ids) == expected
        self.model = {(v, i) for v, i in self.model if i not in gone}

    @rule()
    def save_and_load(self) -> None:
        self.saves += 1
        path = self.directory / f"exact-{self.saves % 2}"
        self.index.save(path)
        self.index = ExactIndex.load(path)

    @rule(value=st.sampled_from([f"{i:032x}" for i in range(14)]))
    def query(self, value: str) -> None:
        expected = sorted(Hit(0, i) for v, i in self.model if v == value)
        assert self.index.query(value) == expected

    @invariant()
    def sizes_agree(self) -> None:
        assert len(self.index) == len(self.model)


@pytest.mark.slow
def test_exact_index_equals_a_set_after_any_operations(tmp_path: Path) -> None:
    machine = type("Machine", (ExactMachine,), {"directory": tmp_path})
    run_state_machine_as_test(machine, settings=_PROPERTY)


@given(st.lists(st.tuples(codes(), st.integers(0, 9)), max_size=60), codes(), st.integers(0, 80))
@settings(max_examples=60, deadline=None)
def test_one_batch_any_radius(pairs: list[tuple[str, int]], query: str, radius: int) -> None:
    index = tables_index(flush_rows=1 << 20)
    reference = BruteForceHammingIndex()
    for target in (index, reference):
        target.add([v for v, _ in pairs], [i for _, i in pairs])
    assert index.query(query, radius) == reference.query(query, radius)


def test_array_protocol_is_implemented() -> None:
    fast: HammingCodeIndex = HammingIndex()  # checked by mypy
    reference: HammingCodeIndex = BruteForceHammingIndex()
    for index in (fast, reference):
        index.add_codes(np.zeros((2, 32), np.uint8), np.array([4, 5]))
        assert index.query_codes(np.zeros((1, 4), np.uint64), 0).hits(0) == [Hit(0, 4), Hit(0, 5)]


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
    index.save(tmp_path / "exact")
    reopened = ExactIndex.load(tmp_path / "exact")
    assert reopened.query("aa") == [Hit(0, 3)]
    assert len(reopened) == 2
