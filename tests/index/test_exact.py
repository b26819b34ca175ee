"""The exact index for cryptographic hashes: widths, bulk loads, memory and persistence."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest

from interlink.domain.errors import IndexCorruptError
from interlink.index.base import Hit
from interlink.index.exact import ExactIndex


def _digests(name: str, count: int, salt: str = "") -> list[str]:
    return [hashlib.new(name, f"{salt}{i}".encode()).hexdigest() for i in range(count)]


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256"])
def test_bulk_and_small_adds_find_every_digest(algorithm: str, tmp_path: Path) -> None:
    values = _digests(algorithm, 30_000)
    index = ExactIndex(flush_rows=10_000)
    index.add(values[:25_000], list(range(25_000)))  # straight into a segment
    for start in range(25_000, 30_000, 1000):  # through the in-memory run
        index.add(values[start : start + 1000], list(range(start, start + 1000)))
    index.add(values[:5], [0, 1, 2, 3, 99])  # four known pairs, one new
    assert len(index) == 30_001
    assert index.query(values[4]) == [Hit(0, 4), Hit(0, 99)]
    assert index.query_batch(values[29_998:] + _digests(algorithm, 1, "x")) == [
        [Hit(0, 29_998)],
        [Hit(0, 29_999)],
        [],
    ]
    index.save(tmp_path / algorithm)
    reopened = ExactIndex.load(tmp_path / algorithm)
    assert len(reopened) == 30_001
    assert [reopened.query(v) for v in values[::997]] == [
        [Hit(0, i)] for i in range(0, 30_000, 997)
    ]


def test_duplicates_within_one_bulk_add_are_stored_once() -> None:
    values = _digests("md5", 5000)
    index = ExactIndex(flush_rows=1000)
    index.add(values + values[:10], list(range(5000)) + list(range(10)))
    assert len(index) == 5000
    index.add(values[:3000], list(range(3000)))
    assert len(index) == 5000


def test_memory_per_md5_is_small() -> None:
    index = ExactIndex(flush_rows=1000)
    index.add(_digests("md5", 100_000), list(range(100_000)))
    assert index.nbytes / len(index) <= 32.0


def test_removal_and_rewrites(tmp_path: Path) -> None:
    values = _digests("sha1", 4000)
    index = ExactIndex(flush_rows=1000)
    index.add(values, [i % 2000 for i in range(4000)])
    assert index.remove(range(0, 2000, 2)) == 2000
    assert index.query(values[2]) == [] and index.query(values[3]) == [Hit(0, 3)]
    assert index.remove(range(1, 1900, 2)) == 1900
    assert len(index) == 100
    index.save(tmp_path / "x")
    assert ExactIndex.load(tmp_path / "x").query(values[1999]) == [Hit(0, 1999)]


def test_widths_and_radii_are_checked() -> None:
    index = ExactIndex()
    assert index.query(_digests("md5", 1)[0]) == []
    index.add(_digests("md5", 2), [1, 2])
    with pytest.raises(ValueError, match="32-digit"):
        index.add(_digests("sha1", 1), [3])
    with pytest.raises(ValueError, match="32-digit"):
        index.query(_digests("sha256", 1)[0])
    with pytest.raises(ValueError, match="even length"):
        index.add(["abc"], [4])
    with pytest.raises(ValueError, match="hexadecimal"):
        index.add(["zz" * 16], [4])
    with pytest.raises(ValueError, match="radius 0"):
        index.query_batch(_digests("md5", 1), [3])
    assert index.query_variants(_digests("md5", 2), 0) == [Hit(0, 1), Hit(0, 2)]


def test_opening_is_fast_and_damage_is_reported(tmp_path: Path) -> None:
    index = ExactIndex(flush_rows=1000)
    index.add(_digests("sha256", 20_000), list(range(20_000)))
    index.save(tmp_path / "x")
    start = time.perf_counter()
    ExactIndex.load(tmp_path / "x")
    assert time.perf_counter() - start < 1.0
    (tmp_path / "x" / "MANIFEST.json").write_text('{"format": "interlink-hamming-index/1"}')
    with pytest.raises(IndexCorruptError):
        ExactIndex.load(tmp_path / "x")


def test_single_and_batch_lookups_agree() -> None:
    values = _digests("sha1", 50_000)
    index = ExactIndex(flush_rows=10_000)
    index.add(values[:40_000], list(range(40_000)))
    index.remove(range(0, 40_000, 3))
    probes = values[::7] + _digests("sha1", 50, "other")
    assert index.query_batch(probes) == [index.query(v) for v in probes]
    assert sum(1 for v in probes if index.query(v)) == len(
        [i for i in range(0, 50_000, 7) if i < 40_000 and i % 3]
    )


def test_bulk_dedupe_tells_values_with_a_common_prefix_apart() -> None:
    prefix = "ab" * 8
    values = [prefix + f"{i % 3:032x}" for i in range(30)]  # three values, same first 8 bytes
    index = ExactIndex(flush_rows=10)
    index.add(values, [7 if i % 2 else 8 for i in range(30)])
    assert len(index) == 6
    assert index.query(values[0]) == [Hit(0, 7), Hit(0, 8)]
