"""Compiled kernels of the multi-index Hamming search (numba, cached on disk).

Terms. A segment splits the 256 bits into ``m`` chunks (``ChunkLayout``); table ``i`` keys every
stored code by the ``b_i`` bits of chunk ``i`` (its *key*, at most 32 bits). The top ``k_i`` key
bits pick a *bucket* of a dense directory (``offsets``); the next key bits, as many as fit
beside the row number, are the *suffix* packed into each 32-bit *entry* (``suffix << rowbits |
row``). A query with chunk thresholds ``t`` visits, in each table with ``t_i >= 0``, every
bucket within ``t_i`` bits of its own, keeps the entries whose suffix is close enough, and
verifies each such candidate against the full code. A match is reported by the first table
whose chunk distance is within its threshold, so it is reported once without a seen-set.

Every kernel is single-threaded; queries per second are per core.
"""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt
from numba import njit

from interlink.index._intrinsics import popcount64, prefetch
from interlink.index._kernel_util import frozen, grow_i32, grow_i64, grow_rows

# How many loads ahead to prefetch; enough to overlap memory misses on current x86 cores.
_AHEAD = 12


@njit(cache=True, nogil=True)
def _distance(a, b):  # type: ignore[no-untyped-def]
    return np.int64(
        popcount64(a[0] ^ b[0])
        + popcount64(a[1] ^ b[1])
        + popcount64(a[2] ^ b[2])
        + popcount64(a[3] ^ b[3])
    )


@njit(cache=True, nogil=True)
def _is_deleted(deleted, row):  # type: ignore[no-untyped-def]
    return (deleted[row >> 3] >> (row & 7)) & 1 == 1


@njit(cache=True, nogil=True)
def _scan_codes(queries, radii, codes, deleted):  # type: ignore[no-untyped-def]
    """Brute force: for each query, every non-deleted row within its radius. Returns CSR
    ``(starts (q+1), rows, distances)``; rows ascending within a query."""
    nq = queries.shape[0]
    n = codes.shape[0]
    starts = np.zeros(nq + 1, np.int64)
    rows = np.empty(64, np.int64)
    dists = np.empty(64, np.int32)
    count = 0
    for qi in range(nq):
        q = queries[qi]
        radius = radii[qi]
        for row in range(n):
            d = _distance(codes[row], q)
            if d <= radius and not _is_deleted(deleted, row):
                if count == rows.shape[0]:
                    rows = grow_i64(rows, count + 1)
                    dists = grow_i32(dists, count + 1)
                rows[count] = row
                dists[count] = d
                count += 1
        starts[qi + 1] = count
    return starts, rows[:count], dists[:count]


@njit(cache=True, nogil=True)
def _query_tables(  # type: ignore[no-untyped-def]
    queries,
    radii,
    thresholds,
    codes,
    deleted,
    entries,
    offsets,
    table_starts,
    chunk_bits,
    dir_bits,
    rowbits,
    luts,
    masks,
    buckets,
    candidates,
):
    """Every non-deleted row within ``radii[i]`` of ``queries[i]``, found through the tables
    with per-query chunk thresholds ``thresholds[i]`` (``-1`` skips a table; exact when
    ``sum(t + 1) > radius``). ``buckets`` (4 rows) and ``candidates`` (2 rows) are scratch,
    grown when too small. Returns ``(starts (q+1), rows, distances, buckets, candidates)``:
    CSR results and the scratch to reuse."""
    nq = queries.shape[0]
    m = chunk_bits.shape[0]
    starts = np.zeros(nq + 1, np.int64)
    out_rows = np.empty(max(64, 4 * nq), np.int64)
    out_dists = np.empty(max(64, 4 * nq), np.int32)
    count = 0
    bucket_keys = buckets[0]
    bucket_allow = buckets[1]
    bucket_start = buckets[2]
    bucket_end = buckets[3]
    cand_rows = candidates[0]
    cand_table = candidates[1]
    qkeys = np.empty(m, np.int64)
    flat_codes = codes.reshape(-1)
    row_mask = (np.int64(1) << rowbits) - 1
    for qi in range(nq):
        q = queries[qi]
        radius = radii[qi]
        t = thresholds[qi]
        for ti in range(m):
            key = np.uint32(0)
            lut = luts[ti]
            for word in range(4):
                x = q[word]
                for j in range(8):
                    key |= lut[word * 8 + j, (x >> np.uint64(56 - 8 * j)) & np.uint64(255)]
            qkeys[ti] = np.int64(key)
        ncand = 0
        for ti in range(m):
            limit = np.int64(t[ti])
            if limit < 0:
                continue
            kbits = np.int64(dir_bits[ti])
            shift = np.int64(chunk_bits[ti]) - kbits
            suffix_bits = min(shift, 32 - rowbits)
            suffix_shift = shift - suffix_bits
            suffix_mask = (np.int64(1) << suffix_bits) - 1
            qdir = qkeys[ti] >> shift
            qsuffix = np.uint64((qkeys[ti] >> suffix_shift) & suffix_mask)
            base = table_starts[ti]
            table_entries = entries[ti]
            # phase 1: every bucket within `limit` bits of the query's bucket (Gosper's hack)
            nbuckets = 0
            span = np.int64(1) << kbits
            for flips in range(min(limit, kbits) + 1):
                mask = (np.int64(1) << flips) - 1
                while mask < span:
                    if nbuckets == bucket_keys.shape[0]:
                        buckets = grow_rows(buckets, nbuckets + 1)
                        bucket_keys = buckets[0]
                        bucket_allow = buckets[1]
                        bucket_start = buckets[2]
                        bucket_end = buckets[3]
                    bucket_keys[nbuckets] = base + (qdir ^ mask)
                    bucket_allow[nbuckets] = limit - flips
                    nbuckets += 1
                    if mask == 0:
                        break
                    low = mask & -mask
                    ripple = mask + low
                    mask = (((ripple ^ mask) >> 2) // low) | ripple
            # phase 2: bucket bounds, loads overlapped by prefetching ahead
            for i in range(min(_AHEAD, nbuckets)):
                prefetch(offsets, bucket_keys[i])
            total = 0
            for i in range(nbuckets):
                if i + _AHEAD < nbuckets:
                    prefetch(offsets, bucket_keys[i + _AHEAD])
                slot = bucket_keys[i]
                bucket_start[i] = offsets[slot]
                bucket_end[i] = offsets[slot + 1]
                total += bucket_end[i] - bucket_start[i]
            if cand_rows.shape[0] < ncand + total:
                candidates = grow_rows(candidates, ncand + total)
                cand_rows = candidates[0]
                cand_table = candidates[1]
            # phase 3: entries whose suffix is within the bucket's remaining allowance
            for i in range(min(_AHEAD, nbuckets)):
                prefetch(table_entries, bucket_start[i])
            for i in range(nbuckets):
                if i + _AHEAD < nbuckets:
                    prefetch(table_entries, bucket_start[i + _AHEAD])
                allow = bucket_allow[i]
                for p in range(bucket_start[i], bucket_end[i]):
                    entry = np.int64(table_entries[p])
                    close = popcount64(np.uint64(entry >> rowbits) ^ qsuffix) <= allow
                    cand_rows[ncand] = entry & row_mask
                    cand_table[ncand] = ti
                    ncand += close
        # phase 4: verify candidates; report each match from the first table that finds it
        if out_rows.shape[0] < count + ncand:
            out_rows = grow_i64(out_rows, count + ncand)
            out_dists = grow_i32(out_dists, count + ncand)
        for i in range(min(_AHEAD, ncand)):
            prefetch(flat_codes, cand_rows[i] * 4)
        for i in range(ncand):
            if i + _AHEAD < ncand:
                prefetch(flat_codes, cand_rows[i + _AHEAD] * 4)
            row = cand_rows[i]
            c = codes[row]
            x0 = c[0] ^ q[0]
            x1 = c[1] ^ q[1]
            x2 = c[2] ^ q[2]
            x3 = c[3] ^ q[3]
            d = np.int64(popcount64(x0) + popcount64(x1) + popcount64(x2) + popcount64(x3))
            if d > radius:
                continue
            found_by = cand_table[i]
            first = -1
            for tj in range(found_by + 1):
                if t[tj] < 0:
                    continue
                mj = masks[tj]
                dj = np.int64(
                    popcount64(x0 & mj[0])
                    + popcount64(x1 & mj[1])
                    + popcount64(x2 & mj[2])
                    + popcount64(x3 & mj[3])
                )
                if dj <= t[tj]:
                    first = tj
                    break
            if first == found_by and not _is_deleted(deleted, row):
                out_rows[count] = row
                out_dists[count] = d
                count += 1
        starts[qi + 1] = count
    return starts, out_rows[:count], out_dists[:count], buckets, candidates


@njit(cache=True, nogil=True)
def _sort_pairs_by_id(ids, distances):  # type: ignore[no-untyped-def]
    """Sort both arrays in place by ``ids`` (Shell sort: small code, quick to compile)."""
    n = ids.shape[0]
    gap = 1
    while gap < n // 3:
        gap = 3 * gap + 1
    while gap > 0:
        for i in range(gap, n):
            key = ids[i]
            value = distances[i]
            j = i
            while j >= gap and ids[j - gap] > key:
                ids[j] = ids[j - gap]
                distances[j] = distances[j - gap]
                j -= gap
            ids[j] = key
            distances[j] = value
        gap //= 3


@njit(cache=True, nogil=True)
def _best_per_id(queries, owners, ids, distances):  # type: ignore[no-untyped-def]
    """Hits ``(owners[j], ids[j], distances[j])`` grouped by query, each id once per query with
    its smallest distance, sorted by (distance, id). Returns CSR ``(starts, ids, distances)``."""
    starts = np.zeros(queries + 1, np.int64)
    for owner in owners:
        starts[owner + 1] += 1
    for q in range(queries):
        starts[q + 1] += starts[q]
    cursor = starts[:-1].copy()
    grouped_ids = np.empty(ids.shape[0], np.int64)
    grouped_d = np.empty(ids.shape[0], np.int32)
    for j in range(owners.shape[0]):
        position = cursor[owners[j]]
        grouped_ids[position] = ids[j]
        grouped_d[position] = distances[j]
        cursor[owners[j]] = position + 1
    out_starts = np.zeros(queries + 1, np.int64)
    out_ids = np.empty(ids.shape[0], np.int64)
    out_d = np.empty(ids.shape[0], np.int32)
    count = 0
    for q in range(queries):
        low, high = starts[q], starts[q + 1]
        if high - low == 1:
            out_ids[count] = grouped_ids[low]
            out_d[count] = grouped_d[low]
            count += 1
        elif high > low:
            slice_ids = grouped_ids[low:high]
            slice_d = grouped_d[low:high]
            _sort_pairs_by_id(slice_ids, slice_d)
            unique_ids = np.empty(high - low, np.int64)
            unique_d = np.empty(high - low, np.int32)
            kept = 0
            for j in range(high - low):
                if kept and unique_ids[kept - 1] == slice_ids[j]:
                    unique_d[kept - 1] = min(unique_d[kept - 1], slice_d[j])
                else:
                    unique_ids[kept] = slice_ids[j]
                    unique_d[kept] = slice_d[j]
                    kept += 1
            # ids ascend; a counting sort by distance keeps them so within each distance
            tally = np.zeros(258, np.int64)
            for j in range(kept):
                tally[unique_d[j] + 1] += 1
            for d in range(257):
                tally[d + 1] += tally[d]
            for j in range(kept):
                position = count + tally[unique_d[j]]
                out_ids[position] = unique_ids[j]
                out_d[position] = unique_d[j]
                tally[unique_d[j]] += 1
            count += kept
        out_starts[q + 1] = count
    return out_starts, out_ids[:count], out_d[:count]


# -- typed entry points --------------------------------------------------------------------------
# Every array reaches the kernels read-only and C-contiguous with a fixed dtype, so each kernel
# compiles once (numba specialises on writability too) and callers get checked types.

Csr = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int32]]
_SCRATCH = threading.local()


def scan_codes(
    queries: npt.ArrayLike, radii: npt.ArrayLike, codes: npt.ArrayLike, deleted: npt.ArrayLike
) -> Csr:
    """Brute-force search (see ``_scan_codes``)."""
    found: Csr = _scan_codes(
        frozen(queries, np.uint64),
        frozen(radii, np.int64),
        frozen(codes, np.uint64),
        frozen(deleted, np.uint8),
    )
    return found


def query_tables(
    queries: npt.ArrayLike,
    radii: npt.ArrayLike,
    thresholds: npt.ArrayLike,
    codes: npt.ArrayLike,
    deleted: npt.ArrayLike,
    entries: npt.ArrayLike,
    offsets: npt.ArrayLike,
    table_starts: npt.ArrayLike,
    chunk_bits: npt.ArrayLike,
    dir_bits: npt.ArrayLike,
    rowbits: int,
    luts: npt.ArrayLike,
    masks: npt.ArrayLike,
) -> Csr:
    """Multi-index search (see ``_query_tables``); not re-entrant within one thread, safe
    across threads (each has its own scratch)."""
    scratch = _SCRATCH.__dict__
    if "buckets" not in scratch:
        scratch["buckets"] = np.empty((4, 4096), np.int64)
        scratch["candidates"] = np.empty((2, 4096), np.int64)
    starts, rows, distances, scratch["buckets"], scratch["candidates"] = _query_tables(
        frozen(queries, np.uint64),
        frozen(radii, np.int64),
        frozen(thresholds, np.int8),
        frozen(codes, np.uint64),
        frozen(deleted, np.uint8),
        frozen(entries, np.uint32),
        frozen(offsets, np.uint32),
        frozen(table_starts, np.int64),
        frozen(chunk_bits, np.int64),
        frozen(dir_bits, np.int64),
        rowbits,
        frozen(luts, np.uint32),
        frozen(masks, np.uint64),
        scratch["buckets"],
        scratch["candidates"],
    )
    return starts, rows, distances


def best_per_id(
    queries: int, owners: npt.ArrayLike, ids: npt.ArrayLike, distances: npt.ArrayLike
) -> Csr:
    """Hits of ``queries`` queries reduced to each id once per query with its smallest distance,
    sorted by (distance, id); CSR ``(starts, ids, distances)``."""
    found: Csr = _best_per_id(
        queries, frozen(owners, np.int64), frozen(ids, np.int64), frozen(distances, np.int32)
    )
    return found
