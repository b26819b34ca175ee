"""Compiled kernels that build Hamming tables and cost them: chunk keys, counting-sort tables,
pairwise distance histograms of a sample (see ``_hamming_kernels`` for the terms)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from interlink.index._intrinsics import popcount64
from interlink.index._kernel_util import frozen


@njit(cache=True, nogil=True)
def _chunk_keys(codes, lut):  # type: ignore[no-untyped-def]
    """The key of every code for one table: ``lut`` is ``(32, 256)`` ``uint32``, the key bits
    each value of each code byte contributes."""
    n = codes.shape[0]
    out = np.empty(n, np.uint32)
    for i in range(n):
        key = np.uint32(0)
        for word in range(4):
            x = codes[i, word]
            for j in range(8):
                key |= lut[word * 8 + j, (x >> np.uint64(56 - 8 * j)) & np.uint64(255)]
        out[i] = key
    return out


@njit(cache=True, nogil=True)
def _build_table(keys, chunk_bits, dir_bits, rowbits, entries, offsets):  # type: ignore[no-untyped-def]
    """Fill one table from the keys of rows ``0..n-1``: ``offsets`` (``2**dir_bits + 1``) gets
    each bucket's start, ``entries`` (``n``) the packed suffix and row, grouped by bucket."""
    n = keys.shape[0]
    shift = chunk_bits - dir_bits
    suffix_bits = min(shift, 32 - rowbits)
    suffix_shift = shift - suffix_bits
    suffix_mask = (1 << suffix_bits) - 1
    offsets[:] = 0
    for i in range(n):
        offsets[(np.int64(keys[i]) >> shift) + 1] += 1
    for j in range(1, offsets.shape[0]):
        offsets[j] += offsets[j - 1]
    cursor = offsets[:-1].copy()
    for i in range(n):
        key = np.int64(keys[i])
        bucket = key >> shift
        position = cursor[bucket]
        suffix = (key >> suffix_shift) & suffix_mask
        entries[position] = np.uint32((suffix << rowbits) | i)
        cursor[bucket] = position + 1


@njit(cache=True, nogil=True)
def _pair_histograms(keys, chunk_bits, lengths):  # type: ignore[no-untyped-def]
    """Distance histograms over all pairs of sample keys: ``out[i, l, d]`` counts the pairs whose
    first ``lengths[i, l]`` bits of chunk ``i``'s key (all of it, if that is shorter) differ
    in ``d`` places."""
    m, s = keys.shape
    nl = lengths.shape[1]
    out = np.zeros((m, nl, 33), np.int64)
    shifts = np.empty(nl, np.uint64)
    for i in range(m):
        for li in range(nl):
            shifts[li] = np.uint64(max(chunk_bits[i] - lengths[i, li], 0))
        for a in range(s):
            ka = np.uint64(keys[i, a])
            for b in range(a + 1, s):
                x = ka ^ np.uint64(keys[i, b])
                for li in range(nl):
                    out[i, li, popcount64(x >> shifts[li])] += 1
    return out


# -- typed entry points --------------------------------------------------------------------------


def chunk_keys(codes: npt.ArrayLike, lut: npt.ArrayLike) -> npt.NDArray[np.uint32]:
    """The key of every code for one table (see ``_chunk_keys``)."""
    keys: npt.NDArray[np.uint32] = _chunk_keys(frozen(codes, np.uint64), frozen(lut, np.uint32))
    return keys


def build_table(
    keys: npt.NDArray[np.uint32],
    chunk_bits: int,
    dir_bits: int,
    rowbits: int,
    entries: npt.NDArray[np.uint32],
    offsets: npt.NDArray[np.uint32],
) -> None:
    """Fill ``entries`` and ``offsets`` (writable) for one table (see ``_build_table``)."""
    _build_table(frozen(keys, np.uint32), chunk_bits, dir_bits, rowbits, entries, offsets)


def pair_histograms(
    keys: npt.ArrayLike, chunk_bits: npt.ArrayLike, lengths: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """Pairwise prefix-distance histograms (see ``_pair_histograms``)."""
    histograms: npt.NDArray[np.int64] = _pair_histograms(
        frozen(keys, np.uint32), frozen(chunk_bits, np.int64), frozen(lengths, np.int64)
    )
    return histograms
