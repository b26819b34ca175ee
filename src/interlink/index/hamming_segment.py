"""One immutable run of (code, id) rows with its multi-index tables.

Rows are sorted by id (so removing an id is a binary search); the codes sit in one
``(n, 4)`` ``uint64`` array, and each table holds one 32-bit entry per row plus a directory of
``2**k + 1`` offsets. Only the deletion bitmap changes after a segment is built; it is saved
beside the segment, not in it. Bytes per row: 32 (code) + 8 (id) + 4 per table + the
directories (``4 * 2**k / n`` per table) + 1/8 (deletions).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from interlink.index._build_kernels import build_table, chunk_keys
from interlink.index._hamming_kernels import query_tables, scan_codes
from interlink.index._rows import DeletionMap, Rows, SegmentRows, rows_with_ids
from interlink.index.codes import Codes, as_codes
from interlink.index.layout import ChunkLayout
from interlink.index.planner import (
    MAX_RADIUS,
    SCAN_BELOW,
    CostModel,
    SegmentPlan,
    plan_segment,
    row_bits,
)

#: Rows a segment may hold (row numbers share 32-bit table entries with key bits).
MAX_SEGMENT_ROWS = 2**31 - 1
KIND = "hamming-segment/1"


@dataclass(frozen=True, slots=True)
class Found:
    """Per-query results in CSR form: query ``i``'s rows are ``rows[starts[i]:starts[i+1]]``."""

    starts: npt.NDArray[np.int64]
    rows: Rows
    distances: npt.NDArray[np.int32]


def _readonly(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.flags.writeable = False
    return array


def sample_size(rows: int) -> int:
    """How many codes the planner samples from a segment of ``rows`` rows."""
    if rows >= 1 << 22:
        return 2048
    if rows >= 1 << 18:
        return 1024
    return min(rows, 384 if rows >= 1 << 14 else 128)


class HammingSegment(SegmentRows):
    """Codes, ids and tables of one segment; see the module docstring for the layout."""

    def __init__(
        self,
        codes: Codes,
        ids: npt.NDArray[np.int64],
        plan: SegmentPlan,
        entries: npt.NDArray[np.uint32],
        offsets: npt.NDArray[np.uint32],
        table_starts: npt.NDArray[np.int64],
        deleted: DeletionMap,
        name: str | None = None,
    ) -> None:
        self.codes = codes
        self.ids = ids
        self.plan = plan
        self.entries = entries
        self.offsets = offsets
        self.table_starts = table_starts
        self.deleted = deleted
        self.name = name or uuid.uuid4().hex
        layout = plan.layout
        if layout is not None:
            self._luts = _readonly(layout.key_luts())
            self._masks = _readonly(layout.masks())
            self._chunk_bits = _readonly(np.asarray(layout.chunk_bits, np.int64))
            self._dir_bits = _readonly(np.asarray(layout.dir_bits, np.int64))
        self._rowbits = row_bits(len(ids))

    @classmethod
    def build(
        cls,
        codes: Codes,
        ids: npt.NDArray[np.int64],
        *,
        budget: float = 96.0,
        model: CostModel | None = None,
        scan_below: int = SCAN_BELOW,
    ) -> HammingSegment:
        """A segment of these rows (any order), planned for their own statistics; takes
        ownership of the arrays (they become read-only)."""
        codes = as_codes(codes)
        ids = np.asarray(ids, dtype=np.int64)
        if len(codes) != len(ids):
            raise ValueError(f"{len(codes)} codes but {len(ids)} ids")
        if len(ids) > MAX_SEGMENT_ROWS:
            raise ValueError(f"a segment holds at most {MAX_SEGMENT_ROWS} rows")
        if len(ids) > 1 and not bool(np.all(ids[1:] >= ids[:-1])):
            order = np.argsort(ids, kind="stable")
            codes, ids = codes[order], ids[order]
        codes = _readonly(np.ascontiguousarray(codes))
        ids = _readonly(np.ascontiguousarray(ids))
        rows = len(ids)
        rng = np.random.default_rng(rows)
        pick = rng.choice(rows, sample_size(rows), replace=False) if rows else np.empty(0, int)
        plan = plan_segment(
            codes[np.sort(pick)], rows, budget=budget, model=model, scan_below=scan_below
        )
        entries, offsets, starts = _build_tables(codes, plan.layout)
        return cls(codes, ids, plan, entries, offsets, starts, DeletionMap(rows))

    @property
    def nbytes(self) -> int:
        """Bytes of every array of the segment (mapped or in memory)."""
        arrays = (self.codes, self.ids, self.entries, self.offsets, self.deleted.view)
        return sum(int(a.nbytes) for a in arrays) + int(self.plan.thresholds.nbytes)

    def search(self, queries: Codes, radii: npt.NDArray[np.int64]) -> Found:
        """Every live row within ``radii[i]`` (>= 0) of ``queries[i]``, each once per query."""
        radii = np.minimum(np.asarray(radii, np.int64), MAX_RADIUS)
        if self.plan.layout is None or len(queries) == 0:
            return Found(*scan_codes(queries, radii, self.codes, self.deleted.view))
        scan = self.plan.scan[radii]
        if not scan.any():
            return Found(*self._tables(queries, radii))
        parts = []
        for chosen, use_scan in ((np.flatnonzero(scan), True), (np.flatnonzero(~scan), False)):
            if len(chosen) == 0:
                continue
            q, r = np.ascontiguousarray(queries[chosen]), radii[chosen]
            found = (
                scan_codes(q, r, self.codes, self.deleted.view) if use_scan else self._tables(q, r)
            )
            parts.append((chosen, Found(*found)))
        return merge_found(parts, len(queries))

    def _tables(
        self, queries: Codes, radii: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], Rows, npt.NDArray[np.int32]]:
        return query_tables(
            queries,
            radii,
            self.plan.thresholds[radii],
            self.codes,
            self.deleted.view,
            self.entries,
            self.offsets,
            self.table_starts,
            self._chunk_bits,
            self._dir_bits,
            self._rowbits,
            self._luts,
            self._masks,
        )

    def rows_of(self, ids: npt.NDArray[np.int64]) -> Rows:
        """Every row (deleted or not) holding one of ``ids``."""
        return rows_with_ids(self.ids, ids)

    def live(self) -> tuple[Codes, npt.NDArray[np.int64]]:
        """Codes and ids of the live rows, in row order."""
        if self.deleted.count == 0:
            return self.codes, self.ids
        keep = self.deleted.live_mask()
        return self.codes[keep], self.ids[keep]

    def bundle(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
        """Arrays and meta to persist (the deletion bitmap is saved separately)."""
        arrays: dict[str, npt.NDArray[Any]] = {
            "codes": self.codes,
            "ids": self.ids,
            "entries": self.entries,
            "offsets": self.offsets,
            "table_starts": self.table_starts,
            "thresholds": self.plan.thresholds,
            "scan": self.plan.scan.astype(np.uint8),
        }
        layout = self.plan.layout
        meta: dict[str, Any] = {
            "kind": KIND,
            "name": self.name,
            "rows": len(self.ids),
            "estimated_ns": self.plan.estimated_ns,
            "layout": None
            if layout is None
            else {
                "order": list(layout.order),
                "chunk_bits": list(layout.chunk_bits),
                "dir_bits": list(layout.dir_bits),
            },
        }
        return arrays, meta

    @classmethod
    def from_bundle(
        cls, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any], deleted: DeletionMap
    ) -> HammingSegment:
        """Reopen a segment from ``bundle()`` output; ``ValueError`` if it does not fit."""
        if meta.get("kind") != KIND:
            raise ValueError(f"not a {KIND}")
        rows = int(meta["rows"])
        codes, ids = arrays["codes"], arrays["ids"]
        if codes.shape != (rows, 4) or ids.shape != (rows,) or deleted.rows != rows:
            raise ValueError("segment arrays do not match its row count")
        spec = meta["layout"]
        layout = (
            None
            if spec is None
            else ChunkLayout(
                tuple(int(p) for p in spec["order"]),
                tuple(int(b) for b in spec["chunk_bits"]),
                tuple(int(k) for k in spec["dir_bits"]),
            )
        )
        plan = SegmentPlan(
            layout,
            arrays["thresholds"],
            arrays["scan"].astype(np.bool_),
            float(meta["estimated_ns"]),
        )
        tables = 0 if layout is None else layout.tables
        if arrays["entries"].shape != (tables, rows if tables else 0):
            raise ValueError("segment tables do not match its layout")
        return cls(
            codes,
            ids,
            plan,
            arrays["entries"],
            arrays["offsets"],
            arrays["table_starts"],
            deleted,
            name=str(meta["name"]),
        )


def _build_tables(
    codes: Codes, layout: ChunkLayout | None
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    if layout is None:
        empty = np.zeros((0, 0), np.uint32)
        return _readonly(empty), _readonly(np.zeros(1, np.uint32)), _readonly(np.zeros(1, np.int64))
    rows = len(codes)
    rbits = row_bits(rows)
    sizes = [2**k + 1 for k in layout.dir_bits]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    entries = np.empty((layout.tables, rows), np.uint32)
    offsets = np.empty(int(starts[-1]), np.uint32)
    luts = layout.key_luts()
    for i in range(layout.tables):
        keys = chunk_keys(codes, luts[i])
        region = offsets[starts[i] : starts[i + 1]]
        build_table(keys, layout.chunk_bits[i], layout.dir_bits[i], rbits, entries[i], region)
        del keys
    return _readonly(entries), _readonly(offsets), _readonly(starts)


def merge_found(parts: list[tuple[npt.NDArray[np.int64], Found]], queries: int) -> Found:
    """Per-query results of disjoint query subsets (``parts``: the subset's query numbers and
    its results) as one CSR in query order."""
    counts = np.zeros(queries, np.int64)
    for chosen, found in parts:
        counts[chosen] = np.diff(found.starts)
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    rows = np.empty(int(starts[-1]), np.int64)
    distances = np.empty(int(starts[-1]), np.int32)
    for chosen, found in parts:
        sizes = np.diff(found.starts)
        target = np.repeat(starts[chosen], sizes) + (
            np.arange(len(found.rows)) - np.repeat(found.starts[:-1], sizes)
        )
        rows[target] = found.rows
        distances[target] = found.distances
    return Found(starts, rows, distances)
