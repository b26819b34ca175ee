"""Compiled kernels of the exact index: bucket keys of byte strings and batched lookups."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from interlink.index._kernel_util import frozen, grow_i64


@njit(cache=True, nogil=True)
def _value_keys(values):  # type: ignore[no-untyped-def]
    """A 64-bit bucket key per row of ``values`` (``(n, w)`` ``uint8``): the first 8 bytes,
    big-endian and zero-padded, put through the splitmix64 finaliser so that values that are
    not uniformly distributed (unlike digests) still spread over the buckets."""
    n, width = values.shape
    out = np.empty(n, np.uint64)
    take = min(width, 8)
    for i in range(n):
        x = np.uint64(0)
        for j in range(take):
            x |= np.uint64(values[i, j]) << np.uint64(56 - 8 * j)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
        out[i] = x
    return out


@njit(cache=True, nogil=True)
def _bucket_offsets(keys, dir_bits):  # type: ignore[no-untyped-def]
    """Start of every bucket (``2**dir_bits + 1`` offsets) of ascending ``keys``."""
    offsets = np.zeros((1 << dir_bits) + 1, np.uint32)
    shift = np.uint64(64 - dir_bits) if dir_bits > 0 else np.uint64(0)
    for i in range(keys.shape[0]):
        bucket = np.int64(keys[i] >> shift) if dir_bits > 0 else np.int64(0)
        offsets[bucket + 1] += 1
    for j in range(1, offsets.shape[0]):
        offsets[j] += offsets[j - 1]
    return offsets


@njit(cache=True, nogil=True)
def _lookup(queries, query_keys, values, offsets, dir_bits, deleted):  # type: ignore[no-untyped-def]
    """Rows whose value equals each query (live rows only), as CSR ``(starts, rows)``."""
    nq, width = queries.shape
    starts = np.zeros(nq + 1, np.int64)
    rows = np.empty(max(nq, 16), np.int64)
    count = 0
    shift = np.uint64(64 - dir_bits) if dir_bits > 0 else np.uint64(0)
    for qi in range(nq):
        bucket = np.int64(query_keys[qi] >> shift) if dir_bits > 0 else np.int64(0)
        for row in range(offsets[bucket], offsets[bucket + 1]):
            same = True
            for j in range(width):
                if values[row, j] != queries[qi, j]:
                    same = False
                    break
            if same and (deleted[row >> 3] >> (row & 7)) & 1 == 0:
                rows = grow_i64(rows, count + 1)
                rows[count] = row
                count += 1
        starts[qi + 1] = count
    return starts, rows[:count]


def value_keys(values: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """Bucket key of each row of ``(n, w)`` bytes (see ``_value_keys``)."""
    keys: npt.NDArray[np.uint64] = _value_keys(frozen(values, np.uint8))
    return keys


def bucket_offsets(keys: npt.ArrayLike, dir_bits: int) -> npt.NDArray[np.uint32]:
    """Bucket starts of ascending keys (see ``_bucket_offsets``)."""
    offsets: npt.NDArray[np.uint32] = _bucket_offsets(frozen(keys, np.uint64), dir_bits)
    return offsets


def lookup(
    queries: npt.ArrayLike,
    query_keys: npt.ArrayLike,
    values: npt.ArrayLike,
    offsets: npt.ArrayLike,
    dir_bits: int,
    deleted: npt.ArrayLike,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Rows equal to each query, as CSR (see ``_lookup``)."""
    found: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] = _lookup(
        frozen(queries, np.uint8),
        frozen(query_keys, np.uint64),
        frozen(values, np.uint8),
        frozen(offsets, np.uint32),
        dir_bits,
        frozen(deleted, np.uint8),
    )
    return found
