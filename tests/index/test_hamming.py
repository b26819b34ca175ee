"""The multi-index Hamming index beyond the shared contract: segments, memory, persistence."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np
import pytest

from interlink.domain.errors import IndexCorruptError
from interlink.index import _lsm
from interlink.index.base import Hit
from interlink.index.brute import BruteForceHammingIndex
from interlink.index.codes import codes_to_hex
from interlink.index.hamming import HammingIndex
from interlink.index.planner import CostModel


def _codes(rows: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 2**64, (rows, 4), dtype=np.uint64)


def _clustered(rows: int, seed: int) -> np.ndarray:
    """Codes around 40 centres, each bit flipped with a per-code chance of 0-16 % (about 0-40
    flips): correlated codes with very uneven buckets."""
    rng = np.random.default_rng(seed)
    centres = _codes(40, seed + 1)
    flips = rng.random((rows, 256)) < rng.uniform(0, 0.16, (rows, 1))
    noise = np.packbits(flips, axis=1).view(">u8").astype(np.uint64)
    return centres[rng.integers(0, 40, rows)] ^ noise


def _near(codes: np.ndarray, seed: int, most: int = 35) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = codes.copy()
    for i in range(len(out)):
        for position in rng.choice(256, int(rng.integers(0, most + 1)), replace=False).tolist():
            out[i, position // 64] ^= np.uint64(1) << np.uint64(position % 64)
    return out


def _same(
    a: HammingIndex | BruteForceHammingIndex,
    b: BruteForceHammingIndex,
    queries: np.ndarray,
    radius: int,
) -> None:
    left, right = a.query_codes(queries, radius), b.query_codes(queries, radius)
    assert np.array_equal(left.starts, right.starts)
    assert np.array_equal(left.ids, right.ids)
    assert np.array_equal(left.distances, right.distances)


def test_tables_are_exact_on_clustered_codes_at_scale() -> None:
    stored = _clustered(12_000, 3)
    index = HammingIndex(flush_rows=1000, model=CostModel(scan=1e12))  # never scans
    reference = BruteForceHammingIndex()
    for target in (index, reference):
        target.add_codes(stored, np.arange(len(stored)))
    assert index.stats()["segments"][0]["tables"] >= 8
    queries = np.concatenate([_near(stored[::150], 4), _clustered(40, 5)])
    for radius in (0, 10, 31, 48):
        _same(index, reference, queries, radius)


def test_memory_stays_within_budget_ids_included() -> None:
    index = HammingIndex(flush_rows=1000)
    index.add_codes(_codes(60_000, 1), np.arange(60_000))
    stats = index.stats()
    assert stats["segments"][0]["tables"] >= 8
    assert stats["bytes_per_code"] <= 96.0
    assert index.nbytes / len(index) == pytest.approx(stats["bytes_per_code"])


def test_small_adds_merge_into_few_segments() -> None:
    index, reference = HammingIndex(flush_rows=64), BruteForceHammingIndex()
    stored = _codes(3000, 2)
    for start in range(0, 3000, 50):
        for target in (index, reference):
            target.add_codes(stored[start : start + 50], np.arange(start, start + 50))
    assert len(index) == 3000
    sizes = [s["rows"] for s in index.stats()["segments"]]
    assert len(sizes) <= 8
    assert all(a >= 4 * b for a, b in itertools.pairwise(sizes))
    _same(index, reference, _near(stored[::97], 6), 31)


def test_removal_hides_rows_and_rewrites_mostly_deleted_segments() -> None:
    index, reference = HammingIndex(flush_rows=1000), BruteForceHammingIndex()
    stored = _codes(5000, 7)
    for target in (index, reference):
        target.add_codes(stored, np.arange(5000) % 2500)  # every id twice
        target.add_codes(stored[:10], np.arange(10_000, 10_010))  # still in memory
    assert index.remove([3, 10_001, 99_999]) == 3 == reference.remove([3, 10_001, 99_999])
    _same(index, reference, _near(stored[:50], 8), 31)
    gone = list(range(0, 2500, 2))
    assert index.remove(gone) == reference.remove(gone) == 2 * len(gone)
    assert all(s["deleted"] * 2 <= s["rows"] for s in index.stats()["segments"])
    assert len(index) == len(reference)
    _same(index, reference, _near(stored[::33], 9), 31)
    index.compact()
    assert [s["deleted"] for s in index.stats()["segments"]] == [0]
    _same(index, reference, _near(stored[::33], 9), 31)


def test_one_id_with_several_codes_reports_its_nearest() -> None:
    index = HammingIndex()
    a, b = "0" * 64, "0" * 60 + "ffff"
    index.add([a, b, "f" * 64], [5, 5, 6])
    assert index.query(a, 20) == [Hit(0, 5)]
    assert index.query(b, 20) == [Hit(0, 5)]
    assert index.query("0" * 63 + "f", 256) == [Hit(4, 5), Hit(252, 6)]
    assert index.query(a, 1000) == [Hit(0, 5), Hit(256, 6)]


def test_bad_radii_and_values_are_refused() -> None:
    index = HammingIndex()
    index.add(["0" * 64], [1])
    with pytest.raises(ValueError, match="negative"):
        index.query("0" * 64, -1)
    with pytest.raises(ValueError, match="64 hex"):
        index.query("0" * 40)
    with pytest.raises(ValueError, match="radius"):
        index.query_codes(_codes(3, 1), [1, 2])
    assert HammingIndex().query("0" * 64, 31) == []
    assert index.query_batch([], 3) == []


@pytest.mark.parametrize("memory_map", [True, False])
def test_saved_index_reopens_with_the_same_answers(tmp_path: Path, memory_map: bool) -> None:
    stored = _codes(20_000, 11)
    index = HammingIndex(flush_rows=5000)
    index.add_codes(stored[:15_000], np.arange(15_000))
    index.add_codes(stored[15_000:], np.arange(15_000, 20_000))
    index.add(codes_to_hex(stored[:3]), [7, 8, 9])  # in memory until saved
    index.remove(range(100))
    queries = _near(stored[::211], 12)
    before = index.query_codes(queries, 31)
    index.save(tmp_path / "idx")
    start = time.perf_counter()
    reopened = HammingIndex.load(tmp_path / "idx", memory_map=memory_map)
    assert time.perf_counter() - start < 1.0
    assert len(reopened) == len(index) == 19_900  # ids 7-9 went too
    after = reopened.query_codes(queries, 31)
    assert np.array_equal(before.ids, after.ids) and np.array_equal(before.starts, after.starts)


def test_saving_again_writes_only_what_changed(tmp_path: Path) -> None:
    index = HammingIndex(flush_rows=100_000)
    index.add_codes(_codes(20_000, 13), np.arange(20_000))
    index.save(tmp_path / "idx")
    first = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "idx").glob("seg-*")}
    index.remove([1, 2, 3])
    index.add_codes(_codes(10, 14), np.arange(50_000, 50_010))
    index.save(tmp_path / "idx")
    names = sorted(p.name for p in (tmp_path / "idx").iterdir())
    assert len([n for n in names if n.startswith("seg-")]) == 2
    assert len([n for n in names if n.startswith("del-")]) == 1
    for name, mtime in first.items():
        assert (tmp_path / "idx" / name).stat().st_mtime_ns == mtime
    assert not [n for n in names if n.endswith(".tmp")]
    assert len(HammingIndex.load(tmp_path / "idx")) == 20_007


def test_a_crash_during_save_leaves_the_previous_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = _codes(6000, 15)
    index = HammingIndex()
    index.add_codes(stored[:5000], np.arange(5000))
    index.save(tmp_path / "idx")

    def crash(*args: object) -> None:
        raise OSError("power cut")

    index.add_codes(stored[5000:], np.arange(5000, 6000))
    index.remove(range(10))
    monkeypatch.setattr(_lsm, "write_manifest", crash)
    with pytest.raises(OSError, match="power cut"):
        index.save(tmp_path / "idx")
    monkeypatch.undo()
    survivor = HammingIndex.load(tmp_path / "idx")
    assert len(survivor) == 5000
    assert survivor.query_codes(stored[:1], 0).hits(0) == [Hit(0, 0)]
    survivor.save(tmp_path / "idx")  # tidies what the crashed save left behind
    assert len(list((tmp_path / "idx").glob("seg-*"))) == 1


def test_damaged_directories_are_reported(tmp_path: Path) -> None:
    with pytest.raises(IndexCorruptError):
        HammingIndex.load(tmp_path / "nothing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(IndexCorruptError):
        HammingIndex().save(tmp_path / "file")
    index = HammingIndex()
    index.add_codes(_codes(5000, 16), np.arange(5000))
    index.save(tmp_path / "idx")
    for segment in (tmp_path / "idx").glob("seg-*"):
        segment.write_bytes(segment.read_bytes()[:100])
    with pytest.raises(IndexCorruptError):
        HammingIndex.load(tmp_path / "idx")
    (tmp_path / "idx" / "MANIFEST.json").write_text("{not json")
    with pytest.raises(IndexCorruptError):
        HammingIndex.load(tmp_path / "idx")


def test_an_index_copied_without_its_lock_file_opens(tmp_path: Path) -> None:
    index = HammingIndex()
    index.add_codes(_codes(5000, 17), np.arange(5000))
    index.save(tmp_path / "idx")
    (tmp_path / "idx" / "LOCK").unlink()
    reopened = HammingIndex.load(tmp_path / "idx")
    assert len(reopened) == 5000
    assert not (tmp_path / "idx" / "LOCK").exists()  # reading created nothing
