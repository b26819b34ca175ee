"""Exact index for cryptographic hashes (MD5, SHA-1, SHA-256): O(1) lookup by value.

Values are hex strings of one width per index (the first value added fixes it; bytes, so an
even number of digits). Segments hold the values as bytes bucketed by a hash of the value
(``exact_segment``); recent additions wait in a dict until there are ``flush_rows`` of them.
A (value, id) pair is stored once however often it is added. 10^7 MD5s take about 30 bytes
each, and a saved index opens memory-mapped in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from interlink.index._lsm import SegmentedIndex, as_ids
from interlink.index._rows import DeletionMap
from interlink.index.base import Hit, merge_hits, radii_for
from interlink.index.exact_segment import ExactSegment

FLUSH_ROWS = 1 << 16


def _first_of_each_pair(
    raw: npt.NDArray[np.uint8], ids: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """True at the first occurrence of each (value, id) pair of a batch."""
    width = raw.shape[1]
    padded = np.zeros((len(raw), -(-width // 8) * 8), np.uint8)
    padded[:, :width] = raw
    words = padded.view(">u8").astype(np.uint64)
    columns = [ids] + [words[:, j] for j in reversed(range(words.shape[1]))]
    order = np.lexsort(columns)  # by value words, then id
    same = np.ones(len(raw) - 1, np.bool_) if len(raw) else np.ones(0, np.bool_)
    for column in columns:
        ordered = column[order]
        same &= ordered[1:] == ordered[:-1]
    first = np.ones(len(raw), np.bool_)
    first[order[1:][same]] = False
    return first


class ExactIndex(SegmentedIndex[ExactSegment]):
    """Values to ids by exact equality. Radius must be 0."""

    FORMAT = "interlink-exact-index/2"

    def __init__(self, *, flush_rows: int = FLUSH_ROWS) -> None:
        super().__init__(flush_rows=flush_rows)
        self._width: int | None = None  # bytes per value, fixed by the first value added
        self._pending: dict[bytes, set[int]] = {}
        self._pending_count = 0

    def _as_bytes(self, values: Sequence[str]) -> npt.NDArray[np.uint8]:
        if not values:
            return np.empty((0, self._width or 0), np.uint8)
        digits = len(values[0])
        if digits == 0 or digits % 2 or any(len(v) != digits for v in values):
            raise ValueError("exact index values must be hex strings of one even length")
        if self._width is not None and digits != 2 * self._width:
            raise ValueError(f"this index holds {2 * self._width}-digit values, not {digits}")
        try:
            raw = bytes.fromhex("".join(values))
        except ValueError as exc:
            raise ValueError(f"not hexadecimal: {exc}") from None
        return np.frombuffer(raw, np.uint8).reshape(len(values), digits // 2)

    def add(self, values: Sequence[str], ids: Sequence[int]) -> None:
        """Store ``values[i]`` under ``ids[i]``; pairs already stored are ignored."""
        if len(values) != len(ids):
            raise ValueError(f"{len(values)} values but {len(ids)} ids")
        raw = self._as_bytes(values)
        if len(raw) == 0:
            return
        id_array = as_ids(ids)
        if self._width is None:
            self._width = raw.shape[1]
        if len(raw) >= self._flush_rows:
            self._flush()
            keep = ~self._stored(raw, id_array) & _first_of_each_pair(raw, id_array)
            self._append(ExactSegment.build(raw[keep].copy(), id_array[keep].copy()))
            return
        stored = self._stored(raw, id_array)
        for row, value in enumerate(raw):
            if stored[row]:
                continue
            bucket = self._pending.setdefault(value.tobytes(), set())
            ident = int(id_array[row])
            if ident not in bucket:
                bucket.add(ident)
                self._pending_count += 1
        if self._pending_count >= self._flush_rows:
            self._flush()

    def _stored(
        self, raw: npt.NDArray[np.uint8], ids: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        """Whether each pair (``raw[i]``, ``ids[i]``) is already in a segment."""
        stored = np.zeros(len(raw), np.bool_)
        for segment in self._segments:
            starts, rows = segment.find(raw)
            owners = np.repeat(np.arange(len(raw)), np.diff(starts))
            same = ids[owners] == segment.ids[rows]
            stored[owners[same]] = True
        return stored

    def _lookup(self, raw: npt.NDArray[np.uint8]) -> list[set[int]]:
        """The ids stored in segments for each value (in-memory run not included)."""
        found: list[set[int]] = [set() for _ in range(len(raw))]
        for segment in self._segments:
            starts, rows = segment.find(raw)
            hit_ids = segment.ids[rows].tolist()
            for query in np.flatnonzero(np.diff(starts)).tolist():
                found[query].update(hit_ids[starts[query] : starts[query + 1]])
        return found

    def query(self, value: str, radius: int = 0) -> list[Hit]:
        """Every id stored under ``value``, ascending."""
        if radius != 0:
            raise ValueError("an exact index only answers radius 0")
        if self._width is None:
            return []
        raw = self._as_bytes([value]).tobytes()
        ids = set(self._pending.get(raw, ()))
        for segment in self._segments:
            ids.update(segment.ids_of(raw))
        return [Hit(0, ident) for ident in sorted(ids)]

    def query_batch(self, values: Sequence[str], radii: int | Sequence[int] = 0) -> list[list[Hit]]:
        """``query`` for each value."""
        if any(r != 0 for r in radii_for(values, radii)):
            raise ValueError("an exact index only answers radius 0")
        if not values or self._width is None:
            return [[] for _ in values]
        raw = self._as_bytes(values)
        found = self._lookup(raw)
        for row, value in enumerate(raw):
            found[row].update(self._pending.get(value.tobytes(), ()))
        return [[Hit(0, ident) for ident in sorted(ids)] for ids in found]

    def query_variants(self, variants: Sequence[str], radius: int = 0) -> list[Hit]:
        """Every id stored under any of the values, each once."""
        return merge_hits(self.query_batch(variants, radius))

    @classmethod
    def load(cls, path: Path, *, memory_map: bool = True) -> ExactIndex:
        """Open an index written by ``save``; raise ``IndexCorruptError`` if it is damaged."""
        options = cls.saved_options(path)
        index = cls(flush_rows=int(options.get("flush_rows", FLUSH_ROWS)))
        width = options.get("width")
        index._width = int(width) if width is not None else None
        return cls._load_into(index, path, memory_map=memory_map)

    # -- segment machinery ---------------------------------------------------------------------

    def _pending_rows(self) -> int:
        return self._pending_count

    def _flush(self) -> None:
        if not self._pending_count or self._width is None:
            return
        values = np.empty((self._pending_count, self._width), np.uint8)
        ids = np.empty(self._pending_count, np.int64)
        row = 0
        for key, bucket in self._pending.items():
            value = np.frombuffer(key, np.uint8)
            for ident in bucket:
                values[row] = value
                ids[row] = ident
                row += 1
        self._pending, self._pending_count = {}, 0
        self._append(ExactSegment.build(values, ids))

    def _remove_pending(self, ids: npt.NDArray[np.int64]) -> int:
        wanted = set(ids.tolist())
        removed = 0
        for key in list(self._pending):
            bucket = self._pending[key]
            gone = bucket & wanted
            if gone:
                bucket -= gone
                removed += len(gone)
                if not bucket:
                    del self._pending[key]
        self._pending_count -= removed
        return removed

    def _merged(self, segments: list[ExactSegment]) -> ExactSegment:
        parts = [segment.live() for segment in segments]
        values = np.concatenate([p[0] for p in parts])
        ids = np.concatenate([p[1] for p in parts])
        return ExactSegment.build(values, ids)

    def _options(self) -> dict[str, Any]:
        return {"flush_rows": self._flush_rows, "width": self._width}

    @classmethod
    def _open_segment(
        cls, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any], deleted: DeletionMap
    ) -> ExactSegment:
        return ExactSegment.from_bundle(arrays, meta, deleted)
