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
from interlink.index.base import Hit, merge_hits, radii_for

CODE_BYTES = 32
_MAGIC = b"ILBRUTE1"


def codes_from_hex(values: Sequence[str]) -> npt.NDArray[np.uint64]:
    """``(n, 4)`` uint64 words from 64-hex-digit values (big-endian byte order)."""
    raw = bytes.fromhex("".join(values))
    if len(raw) != CODE_BYTES * len(values):
        raise ValueError("every value must have 64 hex digits")
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(values), 4)


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
        self._codes = np.concatenate([self._codes, codes_from_hex(values)])
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])

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
