"""Array bundles: round trips, memory mapping, damage detection and atomic replacement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interlink.domain.errors import IndexCorruptError
from interlink.index.bundle import atomic_file, open_bundle, write_bundle


def _arrays() -> dict[str, np.ndarray]:
    return {
        "codes": np.arange(40, dtype=np.uint64).reshape(10, 4),
        "empty": np.empty((0, 3), np.uint32),
        "flags": np.array([True, False]),
    }


@pytest.mark.parametrize("memory_map", [True, False])
def test_round_trip(tmp_path: Path, memory_map: bool) -> None:
    path = tmp_path / "a.ilb"
    write_bundle(path, _arrays(), {"rows": 10, "name": "x"})
    arrays, meta = open_bundle(path, memory_map=memory_map)
    assert meta == {"rows": 10, "name": "x"}
    for name, array in _arrays().items():
        assert arrays[name].dtype == array.dtype and np.array_equal(arrays[name], array)
        assert not arrays[name].flags.writeable
    assert not list(tmp_path.glob(".*.tmp"))


def test_damage_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.ilb"
    write_bundle(path, _arrays(), {})
    data = bytearray(path.read_bytes())
    data[20] ^= 0xFF  # inside the header
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum"):
        open_bundle(path)
    write_bundle(path, _arrays(), {})
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(IndexCorruptError, match="truncated"):
        open_bundle(path)
    path.write_bytes(b"not a bundle at all")
    with pytest.raises(IndexCorruptError):
        open_bundle(path)
    with pytest.raises(IndexCorruptError):
        open_bundle(tmp_path / "missing.ilb")


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.ilb"
    write_bundle(path, _arrays(), {"version": 1})

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        write_bundle(path, {"other": np.zeros(3)}, {"version": 2})
    monkeypatch.undo()
    _, meta = open_bundle(path)
    assert meta == {"version": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ilb"]
    with pytest.raises(RuntimeError), atomic_file(path) as handle:
        handle.write(b"half")
        raise RuntimeError("crash mid-write")
    assert open_bundle(path)[1] == {"version": 1}
