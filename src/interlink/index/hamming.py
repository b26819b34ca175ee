"""Exact Hamming search over 256-bit codes (PDQ) at national scale: multi-index hashing.

``HammingIndex`` returns every stored id within the query's radius, with its distance, and
nothing farther; there are no approximate misses at any radius. Each segment splits the bits
into chunks with one table per chunk; by the pigeonhole principle a code within ``r`` of the
query lies within ``t_i`` of it on some chunk ``i`` whenever ``sum(t_i + 1) > r``, so probing
each table within its threshold and verifying the candidates against the full code is exact.
A cost model fitted to each segment's own codes picks the chunks, the bit order and the
thresholds per radius, and scans instead when that is cheaper (small segments, huge radii).

Memory, ids included, stays under ``budget`` bytes per code (96 by default); a saved index
opens memory-mapped in milliseconds. Like the brute-force reference, it stores (code, id) pairs
as given: a pair added twice counts twice in ``len``, though queries report each id once.
Queries may run concurrently from several threads; adds, removals and saves need the index to
themselves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from interlink.domain.errors import IndexCorruptError
from interlink.index._hamming_kernels import best_per_id, scan_codes
from interlink.index._lsm import SegmentedIndex, as_ids
from interlink.index._rows import DeletionMap
from interlink.index.base import CodeMatches, Hit, radii_for
from interlink.index.codes import CODE_BYTES, CODE_WORDS, Codes, as_codes, codes_from_hex
from interlink.index.hamming_segment import HammingSegment
from interlink.index.planner import SCAN_BELOW, CostModel

#: In-memory rows before they become a segment; small enough to scan in microseconds.
FLUSH_ROWS = 1 << 14


def _radii(radii: int | npt.ArrayLike, queries: int) -> npt.NDArray[np.int64]:
    array = np.asarray(radii)
    if array.ndim == 0:
        array = np.full(queries, int(array), np.int64)
    if array.shape != (queries,) or array.dtype.kind not in "iu":
        raise ValueError(f"expected one integer radius or {queries} of them")
    array = array.astype(np.int64)
    if queries and int(array.min()) < 0:
        raise ValueError("radii must not be negative")
    return array


class HammingIndex(SegmentedIndex[HammingSegment]):
    """Exact radius search over 256-bit codes; see the module docstring."""

    FORMAT = "interlink-hamming-index/1"

    def __init__(
        self,
        *,
        budget: float = 96.0,
        flush_rows: int = FLUSH_ROWS,
        model: CostModel | None = None,
        scan_below: int = SCAN_BELOW,
    ) -> None:
        """``budget``: bytes per stored code, ids included, that tables may bring the index
        to; ``flush_rows``: in-memory rows before they become a segment; ``model``: the cost
        model that plans segments; ``scan_below``: segments smaller than this get no tables.
        """
        super().__init__(flush_rows=flush_rows)
        self._budget = budget
        self._model = model or CostModel()
        self._scan_below = scan_below
        self._pending_codes: list[Codes] = []
        self._pending_ids: list[npt.NDArray[np.int64]] = []
        self._pending_count = 0

    # -- string protocol -----------------------------------------------------------------------

    def add(self, values: Sequence[str], ids: Sequence[int]) -> None:
        """Store ``values[i]`` (64 hex digits) under ``ids[i]``."""
        if len(values) != len(ids):
            raise ValueError(f"{len(values)} values but {len(ids)} ids")
        self.add_codes(codes_from_hex(values), as_ids(ids))

    def query(self, value: str, radius: int = 0) -> list[Hit]:
        """Every stored id within ``radius`` of ``value``, sorted by (distance, id)."""
        return self.query_codes(codes_from_hex([value]), radius).hits(0)

    def query_batch(self, values: Sequence[str], radii: int | Sequence[int] = 0) -> list[list[Hit]]:
        """``query`` for each value, with one radius for all or one per value."""
        per_value = radii_for(values, radii)
        if not values:
            return []
        matches = self.query_codes(codes_from_hex(values), np.asarray(per_value, np.int64))
        return [matches.hits(i) for i in range(len(values))]

    def query_variants(self, variants: Sequence[str], radius: int = 0) -> list[Hit]:
        """Every id within ``radius`` of any variant, each once with its smallest distance."""
        if not variants:
            return []
        codes = codes_from_hex(variants).reshape(1, len(variants), CODE_WORDS)
        return self.query_variant_codes(codes, radius).hits(0)

    # -- array fast path -----------------------------------------------------------------------

    def add_codes(self, codes: npt.ArrayLike, ids: npt.ArrayLike) -> None:
        """Store ``codes[i]`` under ``ids[i]`` (the arrays are copied)."""
        array = as_codes(codes)
        id_array = as_ids(ids)
        if len(array) != len(id_array):
            raise ValueError(f"{len(array)} codes but {len(id_array)} ids")
        if len(array) == 0:
            return
        self._pending_codes.append(array.copy())
        self._pending_ids.append(id_array.copy())
        self._pending_count += len(array)
        if self._pending_count >= self._flush_rows:
            self._flush()

    def query_codes(self, codes: npt.ArrayLike, radii: int | npt.ArrayLike = 0) -> CodeMatches:
        """Every stored id within ``radii[i]`` of ``codes[i]``, for each query."""
        queries = as_codes(codes)
        per_query = _radii(radii, len(queries))
        owners, ids, distances = [], [], []
        for segment in self._segments:
            found = segment.search(queries, per_query)
            owners.append(np.repeat(np.arange(len(queries)), np.diff(found.starts)))
            ids.append(segment.ids[found.rows])
            distances.append(found.distances)
        if self._pending_count:
            pending_codes, pending_ids = self._pending()
            nothing_deleted = np.zeros((len(pending_ids) + 7) // 8, np.uint8)
            starts, rows, dists = scan_codes(queries, per_query, pending_codes, nothing_deleted)
            owners.append(np.repeat(np.arange(len(queries)), np.diff(starts)))
            ids.append(pending_ids[rows])
            distances.append(dists)
        if not owners:
            empty = np.empty(0, np.int64)
            return CodeMatches(np.zeros(len(queries) + 1, np.int64), empty, empty.astype(np.int32))
        if len(owners) == 1:
            return CodeMatches(*best_per_id(len(queries), owners[0], ids[0], distances[0]))
        return CodeMatches(
            *best_per_id(
                len(queries),
                np.concatenate(owners),
                np.concatenate(ids),
                np.concatenate(distances),
            )
        )

    def query_variant_codes(
        self, variants: npt.ArrayLike, radii: int | npt.ArrayLike = 0
    ) -> CodeMatches:
        """For each image (row of ``variants``, ``(q, v, 4)`` or ``(q, v, 32)``), every id within
        its radius of any of its variants, each once with its smallest distance."""
        array = np.asarray(variants)
        if array.ndim != 3 or array.shape[2] not in (CODE_WORDS, CODE_BYTES):
            raise ValueError(f"expected (images, variants, 4 or 32) codes, got {array.shape}")
        images, per_image = array.shape[:2]
        flat = as_codes(array.reshape(images * per_image, array.shape[2]))
        radius = np.repeat(_radii(radii, images), per_image)
        matches = self.query_codes(flat, radius)
        owners = np.repeat(
            np.arange(images * per_image) // max(per_image, 1), np.diff(matches.starts)
        )
        return CodeMatches(*best_per_id(images, owners, matches.ids, matches.distances))

    # -- persistence ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path, *, memory_map: bool = True) -> HammingIndex:
        """Open an index saved with ``save``; ``IndexCorruptError`` if it is damaged. With
        ``memory_map`` (the default) opening takes constant time and pages load on demand."""
        options = cls.saved_options(path)
        model = options.get("model")
        try:
            index = cls(
                budget=float(options.get("budget", 96.0)),
                flush_rows=int(options.get("flush_rows", FLUSH_ROWS)),
                model=CostModel(**model) if isinstance(model, dict) else None,
                scan_below=int(options.get("scan_below", SCAN_BELOW)),
            )
        except (TypeError, ValueError) as exc:
            raise IndexCorruptError(str(path), f"bad options in the manifest: {exc}") from exc
        return cls._load_into(index, path, memory_map=memory_map)

    def stats(self) -> dict[str, Any]:
        """Rows, segments, bytes per stored code and each segment's layout, for reports."""
        rows = len(self)
        return {
            "rows": rows,
            "segments": [
                {
                    "rows": len(s),
                    "deleted": s.deleted.count,
                    "tables": 0 if s.plan.layout is None else s.plan.layout.tables,
                    "dir_bits": [] if s.plan.layout is None else list(s.plan.layout.dir_bits),
                    "estimated_ns": s.plan.estimated_ns,
                }
                for s in self._segments
            ],
            "pending": self._pending_count,
            "bytes_per_code": (self.nbytes + self._pending_count * 40) / rows if rows else 0.0,
        }

    # -- segment machinery ---------------------------------------------------------------------

    def _pending(self) -> tuple[Codes, npt.NDArray[np.int64]]:
        if len(self._pending_codes) > 1:
            self._pending_codes = [np.concatenate(self._pending_codes)]
            self._pending_ids = [np.concatenate(self._pending_ids)]
        return self._pending_codes[0], self._pending_ids[0]

    def _pending_rows(self) -> int:
        return self._pending_count

    def _flush(self) -> None:
        if not self._pending_count:
            return
        codes, ids = self._pending()
        self._pending_codes, self._pending_ids, self._pending_count = [], [], 0
        self._append(self._build(codes, ids))

    def _remove_pending(self, ids: npt.NDArray[np.int64]) -> int:
        if not self._pending_count:
            return 0
        codes, pending_ids = self._pending()
        keep = ~np.isin(pending_ids, ids)
        removed = int(len(keep) - keep.sum())
        if removed:
            self._pending_codes, self._pending_ids = [codes[keep]], [pending_ids[keep]]
            self._pending_count -= removed
        return removed

    def _merged(self, segments: list[HammingSegment]) -> HammingSegment:
        parts = [segment.live() for segment in segments]
        codes = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
        ids = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
        return self._build(codes, ids)

    def _build(self, codes: Codes, ids: npt.NDArray[np.int64]) -> HammingSegment:
        return HammingSegment.build(
            codes, ids, budget=self._budget, model=self._model, scan_below=self._scan_below
        )

    def _options(self) -> dict[str, Any]:
        return {
            "budget": self._budget,
            "flush_rows": self._flush_rows,
            "scan_below": self._scan_below,
            "model": dataclasses.asdict(self._model),
        }

    @classmethod
    def _open_segment(
        cls, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any], deleted: DeletionMap
    ) -> HammingSegment:
        return HammingSegment.from_bundle(arrays, meta, deleted)

    def remove(self, ids: Iterable[int]) -> int:
        """Forget every code stored under these ids; return how many (code, id) pairs went."""
        return super().remove(ids)
