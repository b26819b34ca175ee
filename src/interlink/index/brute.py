"""Brute-force Hamming index over 256-bit codes: the reference every faster index must equal.

Correct by construction (it compares the query with every stored code), so the contract tests
use it as the oracle; it is also fine for small lists.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from interlink.domain.errors import IndexCorruptError
from interlink.index.base import CodeMatches, Hit, best_per_id, merge_hits, radii_for
from interlink.index.codes import CODE_BYTES, CODE_WORDS, as_codes, codes_from_hex

__all__ = ["CODE_BYTES", "BruteForceHammingIndex", "codes_from_hex"]

_MAGIC = b"ILBRUTE1"


class BruteForceHammingIndex:
    """Every stored code compared with every query, with NumPy popcounts."""

    def __init__(self) -> None:
        self._codes = np.empty((0, 4), dtype=np.uint64)
        self._ids = np.empty(0, dtype=np.int64)

    def add(self, values: Sequence[str], ids: Sequence[int]) -> None:
        if len(values) != len(ids):
            raise ValueError(f"{len(values)} values but {len(ids)} ids")
        if not values:
            return
        self.add_codes(codes_from_hex(values), np.asarray(ids, dtype=np.int64))

    def add_codes(self, codes: npt.ArrayLike, ids: npt.ArrayLike) -> None:
        array = as_codes(codes)
        id_array = np.asarray(ids, dtype=np.int64).reshape(-1)
        if len(array) != len(id_array):
            raise ValueError(f"{len(array)} codes but {len(id_array)} ids")
        self._codes = np.concatenate([self._codes, array])
        self._ids = np.concatenate([self._ids, id_array])

    def remove(self, ids: Iterable[int]) -> int:
        drop = np.isin(self._ids, np.fromiter(ids, dtype=np.int64))
        self._codes = self._codes[~drop]
        self._ids = self._ids[~drop]
        return int(drop.sum())

    def distances(self, value: str) -> npt.NDArray[np.int64]:
        """Distance from ``value`` to every stored code, in storage order."""
        query = codes_from_hex([value])[0]
        counts: npt.NDArray[np.int64] = np.bitwise_count(self._codes ^ query).sum(
            axis=1, dtype=np.int64
        )
        return counts

    def query(self, value: str, radius: int = 0) -> list[Hit]:
        dist = self.distances(value)
        close = np.nonzero(dist <= radius)[0]
        return merge_hits([[Hit(int(dist[i]), int(self._ids[i])) for i in close]])

    def query_batch(self, values: Sequence[str], radii: int | Sequence[int] = 0) -> list[list[Hit]]:
        return [self.query(v, r) for v, r in zip(values, radii_for(values, radii), strict=True)]

    def query_variants(self, variants: Sequence[str], radius: int = 0) -> list[Hit]:
        return merge_hits(self.query(v, radius) for v in variants)

    def query_codes(self, codes: npt.ArrayLike, radii: int | npt.ArrayLike = 0) -> CodeMatches:
        queries = as_codes(codes)
        per_query = np.broadcast_to(np.asarray(radii, dtype=np.int64), (len(queries),))
        owners, rows, dists = [], [], []
        for i, query in enumerate(queries):
            dist = np.bitwise_count(self._codes ^ query).sum(axis=1, dtype=np.int64)
            close = np.flatnonzero(dist <= per_query[i])
            owners.append(np.full(len(close), i, np.int64))
            rows.append(close)
            dists.append(dist[close].astype(np.int32))
        if not owners:
            return CodeMatches(np.zeros(1, np.int64), self._ids[:0], np.empty(0, np.int32))
        found = np.concatenate(rows).astype(np.int64)
        return best_per_id(
            len(queries), np.concatenate(owners), self._ids[found], np.concatenate(dists)
        )

    def query_variant_codes(
        self, variants: npt.ArrayLike, radii: int | npt.ArrayLike = 0
    ) -> CodeMatches:
        array = np.asarray(variants)
        if array.ndim != 3 or array.shape[2] not in (CODE_WORDS, CODE_BYTES):
            raise ValueError(f"expected (images, variants, 4 or 32) codes, got {array.shape}")
        images, per_image = array.shape[:2]
        flat = as_codes(array.reshape(images * per_image, array.shape[2]))
        radius = np.repeat(np.broadcast_to(np.asarray(radii, np.int64), (images,)), per_image)
        matches = self.query_codes(flat, radius)
        owners = np.repeat(
            np.arange(images * per_image) // max(per_image, 1), np.diff(matches.starts)
        )
        return best_per_id(images, owners.astype(np.int64), matches.ids, matches.distances)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_MAGIC)
                handle.write(np.int64(len(self._ids)).tobytes())
                handle.write(self._codes.tobytes())
                handle.write(self._ids.tobytes())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> BruteForceHammingIndex:
        """Open an index written by ``save``; raise ``IndexCorruptError`` if it is damaged."""
        data = path.read_bytes()
        if not data.startswith(_MAGIC) or len(data) < 16:
            raise IndexCorruptError(str(path), "not a brute-force index of this version")
        count = int(np.frombuffer(data, dtype=np.int64, count=1, offset=8)[0])
        if len(data) != 16 + count * (CODE_BYTES + 8):
            raise IndexCorruptError(str(path), "file size does not match its header")
        index = cls()
        index._codes = np.frombuffer(data, np.uint64, count * 4, 16).reshape(count, 4).copy()
        index._ids = np.frombuffer(data, np.int64, count, 16 + count * CODE_BYTES).copy()
        return index

    def __len__(self) -> int:
        return len(self._ids)
