"""One immutable run of (value, id) rows of an exact index, bucketed by a hash of the value.

Rows are sorted by a 64-bit key derived from the value (``value_keys``); a directory of
``2**k + 1`` offsets over the key's top ``k`` bits, with about two rows per bucket, makes a
lookup one directory read and a short scan: O(1) per segment. ``id_order`` sorts the rows by
id for removals. Bytes per row: the value (16 for MD5, 20 for SHA-1, 32 for SHA-256) + 8 (id)
+ 4 (id order) + about 2 (directory) + 1/8 (deletions).
"""

from __future__ import annotations

import math
import uuid
from typing import Any

import numpy as np
import numpy.typing as npt

from interlink.index._exact_kernels import bucket_offsets, lookup, value_keys
from interlink.index._rows import DeletionMap, Rows, SegmentRows, rows_with_ids

KIND = "exact-segment/1"
MAX_SEGMENT_ROWS = 2**32 - 1


def directory_bits(rows: int) -> int:
    """Directory width for ``rows`` rows: about two rows per bucket."""
    return max(0, math.floor(math.log2(rows)) - 1) if rows > 1 else 0


_MASK64 = (1 << 64) - 1


def _bucket(value: bytes, dir_bits: int) -> int:
    """The directory bucket of one value: ``value_keys`` in plain Python."""
    x = int.from_bytes(value[:8].ljust(8, b"\0"), "big")
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK64
    x ^= x >> 31
    return x >> (64 - dir_bits) if dir_bits else 0


class ExactSegment(SegmentRows):
    """Values, ids and directory of one segment; see the module docstring."""

    def __init__(
        self,
        values: npt.NDArray[np.uint8],
        ids: npt.NDArray[np.int64],
        id_order: npt.NDArray[np.uint32],
        offsets: npt.NDArray[np.uint32],
        deleted: DeletionMap,
        name: str | None = None,
    ) -> None:
        self.values = values
        self.ids = ids
        self.id_order = id_order
        self.offsets = offsets
        self.dir_bits = int(offsets.shape[0] - 1).bit_length() - 1
        self.deleted = deleted
        self.name = name or uuid.uuid4().hex

    @classmethod
    def build(cls, values: npt.NDArray[np.uint8], ids: npt.NDArray[np.int64]) -> ExactSegment:
        """A segment of these rows (any order); takes ownership of the arrays."""
        if len(values) != len(ids):
            raise ValueError(f"{len(values)} values but {len(ids)} ids")
        if len(ids) > MAX_SEGMENT_ROWS:
            raise ValueError(f"a segment holds at most {MAX_SEGMENT_ROWS} rows")
        values = np.ascontiguousarray(values, dtype=np.uint8)
        keys = value_keys(values)
        order = np.argsort(keys, kind="stable")
        values = np.ascontiguousarray(values[order])
        ids = np.ascontiguousarray(np.asarray(ids, np.int64)[order])
        offsets = bucket_offsets(keys[order], directory_bits(len(ids)))
        id_order = np.argsort(ids, kind="stable").astype(np.uint32)
        for array in (values, ids, id_order, offsets):
            array.flags.writeable = False
        return cls(values, ids, id_order, offsets, DeletionMap(len(ids)))

    @property
    def nbytes(self) -> int:
        """Bytes of every array of the segment (mapped or in memory)."""
        arrays = (self.values, self.ids, self.id_order, self.offsets, self.deleted.view)
        return sum(int(a.nbytes) for a in arrays)

    def find(self, queries: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.int64], Rows]:
        """Live rows equal to each query (``(q, w)`` bytes of this segment's width), as CSR."""
        return lookup(
            queries,
            value_keys(queries),
            self.values,
            self.offsets,
            self.dir_bits,
            self.deleted.view,
        )

    def ids_of(self, value: bytes) -> list[int]:
        """Ids of the live rows holding ``value`` (one lookup, without compiled code: for a
        single value this beats the batch kernel's call overhead)."""
        bucket = _bucket(value, self.dir_bits)
        found = []
        for row in range(int(self.offsets[bucket]), int(self.offsets[bucket + 1])):
            if (
                self.values[row].tobytes() == value
                and not (int(self.deleted.bitmap[row >> 3]) >> (row & 7)) & 1
            ):
                found.append(int(self.ids[row]))
        return found

    def rows_of(self, ids: npt.NDArray[np.int64]) -> Rows:
        """Every row (deleted or not) holding one of ``ids``."""
        return rows_with_ids(self.ids, ids, self.id_order.astype(np.int64))

    def live(self) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
        """Values and ids of the live rows."""
        if self.deleted.count == 0:
            return self.values, self.ids
        keep = self.deleted.live_mask()
        return self.values[keep], self.ids[keep]

    def bundle(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
        """Arrays and meta to persist (the deletion bitmap is saved separately)."""
        arrays: dict[str, npt.NDArray[Any]] = {
            "values": self.values,
            "ids": self.ids,
            "id_order": self.id_order,
            "offsets": self.offsets,
        }
        return arrays, {"kind": KIND, "name": self.name, "rows": len(self.ids)}

    @classmethod
    def from_bundle(
        cls, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any], deleted: DeletionMap
    ) -> ExactSegment:
        """Reopen a segment from ``bundle()`` output; ``ValueError`` if it does not fit."""
        if meta.get("kind") != KIND:
            raise ValueError(f"not an {KIND}")
        rows = int(meta["rows"])
        values, ids = arrays["values"], arrays["ids"]
        offsets = arrays["offsets"]
        if (
            values.ndim != 2
            or len(values) != rows
            or ids.shape != (rows,)
            or arrays["id_order"].shape != (rows,)
            or deleted.rows != rows
            or offsets.shape != (2 ** directory_bits(rows) + 1,)
        ):
            raise ValueError("segment arrays do not match its row count")
        return cls(values, ids, arrays["id_order"], offsets, deleted, name=str(meta["name"]))
