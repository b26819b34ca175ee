"""Row bookkeeping shared by segments: which rows are deleted, and which rows hold given ids."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Rows = npt.NDArray[np.int64]


class DeletionMap:
    """One bit per row of an immutable segment; a set bit hides the row from every query.

    ``token`` names the saved copy of the bitmap; it is ``None`` while there are unsaved
    deletions.
    """

    def __init__(self, rows: int, bitmap: npt.NDArray[np.uint8] | None = None) -> None:
        size = (rows + 7) // 8
        if bitmap is None:
            self.bitmap = np.zeros(size, np.uint8)
        elif bitmap.shape != (size,):
            raise ValueError(f"a deletion bitmap for {rows} rows has {size} bytes")
        else:
            self.bitmap = np.array(bitmap, dtype=np.uint8)
        self.rows = rows
        self.count = int(np.bitwise_count(self.bitmap).sum())
        self.token: str | None = None
        # A read-only view for the kernels: it sees every later deletion.
        self.view = self.bitmap.view()
        self.view.flags.writeable = False

    def delete(self, rows: Rows) -> int:
        """Mark ``rows`` deleted; return how many were live."""
        if len(rows) == 0:
            return 0
        rows = np.unique(rows)
        live = ~self.is_deleted(rows)
        fresh = rows[live]
        if len(fresh):
            np.bitwise_or.at(self.bitmap, fresh >> 3, (1 << (fresh & 7)).astype(np.uint8))
            self.count += len(fresh)
            self.token = None
        return len(fresh)

    def is_deleted(self, rows: Rows) -> npt.NDArray[np.bool_]:
        """Whether each of ``rows`` is deleted."""
        bits = (self.bitmap[rows >> 3] >> (rows & 7).astype(np.uint8)) & 1
        return np.asarray(bits, dtype=np.bool_)

    def live_mask(self) -> npt.NDArray[np.bool_]:
        """One boolean per row, true where the row is live."""
        bits = np.unpackbits(self.bitmap, bitorder="little")[: self.rows]
        return np.asarray(bits == 0, dtype=np.bool_)


class SegmentRows:
    """Row counts of a segment with ``ids`` (one per row) and a ``deleted`` map."""

    ids: npt.NDArray[np.int64]
    deleted: DeletionMap

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def live_rows(self) -> int:
        """Rows not deleted."""
        return len(self.ids) - self.deleted.count


def rows_with_ids(
    ids: npt.NDArray[np.int64], wanted: npt.NDArray[np.int64], order: Rows | None = None
) -> Rows:
    """Every row whose id is in ``wanted``; ``ids`` is sorted, or sorted through ``order``
    (``ids[order]`` ascending)."""
    low = np.searchsorted(ids, wanted, side="left", sorter=order)
    high = np.searchsorted(ids, wanted, side="right", sorter=order)
    hit = high > low
    if not hit.any():
        return np.empty(0, np.int64)
    spans = [np.arange(a, b, dtype=np.int64) for a, b in zip(low[hit], high[hit], strict=True)]
    positions = np.concatenate(spans)
    return positions if order is None else np.asarray(order[positions], dtype=np.int64)
