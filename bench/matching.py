"""Benchmark: exact PDQ matching at radius 31 against FAISS, on 10^6-10^8 stored codes.

For each N and code kind (``random``: uniform 256-bit codes; ``realistic``: PDQ codes of photo
crops and double exposures, see ``bench/_pdq_codes.py``) it builds ``HammingIndex`` and, in the
same run, FAISS ``IndexBinaryFlat`` (brute-force range search) and ``IndexBinaryMultiHash(256,
16, 16)`` with ``nflip = 1`` (HMA's configuration), all on one thread. Queries are half planted
near-duplicates (a stored code with 0-31 random bits flipped) and half unrelated codes (uniform
for ``random``; PDQ codes from held-out photos for ``realistic``), interleaved.

Reported: queries per second per core (process CPU time, so other load on the machine does
not count) for single queries (one ``query_codes`` call each) and one batch call; build time;
bytes per stored code, ids included; recall against FAISS flat (exact brute force) on the
anchor sample, which must be 1.0, and extra hits (must be 0); recall of the planted sources on
every query; and the time to reopen the saved index memory-mapped, with its query rate.
FAISS runs on a sample of the queries where it is slow (``--anchor-budget``).

    python -m bench.matching                                   # 10^6, both kinds
    python -m bench.matching --n 1e7 --photos /work/shared/data/photos
    python -m bench.matching --n 1e8 --codes random --json     # JSON lines only
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import psutil  # type: ignore[import-untyped]

from bench._pdq_codes import realistic_codes
from interlink.index.base import CodeMatches
from interlink.index.codes import codes_to_bytes
from interlink.index.exact import ExactIndex
from interlink.index.hamming import HammingIndex

RADIUS = 31
OUT = Path(__file__).parent / "out"


@dataclass(frozen=True)
class Workload:
    """Stored codes (ids are row numbers) and queries with their planted sources (-1: none)."""

    stored: npt.NDArray[np.uint64]
    queries: npt.NDArray[np.uint64]
    sources: npt.NDArray[np.int64]
    flips: npt.NDArray[np.int64]


def random_codes(n: int, rng: np.random.Generator) -> npt.NDArray[np.uint64]:
    """``n`` uniform random codes."""
    out = np.empty((n, 4), np.uint64)
    for start in range(0, n, 1 << 22):
        stop = min(n, start + (1 << 22))
        out[start:stop] = rng.integers(0, 2**64, (stop - start, 4), dtype=np.uint64)
    return out


def plant(
    stored: npt.NDArray[np.uint64], count: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``count`` stored codes with 0-31 random bits flipped; their rows and flip counts."""
    rows = rng.choice(len(stored), count, replace=False).astype(np.int64)
    flips = rng.integers(0, RADIUS + 1, count)
    queries = np.array(stored[rows], dtype=np.uint64)
    for i, k in enumerate(flips.tolist()):
        for position in rng.choice(256, k, replace=False).tolist():
            queries[i, position // 64] ^= np.uint64(1) << np.uint64(63 - position % 64)
    return queries, rows, flips


def workload(kind: str, n: int, queries: int, photos: Path | None, seed: int) -> Workload:
    """The stored codes and interleaved planted/unrelated queries of one run."""
    rng = np.random.default_rng(seed)
    half = queries // 2
    if kind == "random":
        stored = random_codes(n, rng)
        unrelated = random_codes(queries - half, rng)
    else:
        sets = realistic_codes(n, queries - half, photos, OUT)
        stored, unrelated = sets.stored, sets.unrelated
    planted, rows, flips = plant(stored, half, rng)
    order = np.argsort(np.concatenate([np.arange(half) * 2, np.arange(queries - half) * 2 + 1]))
    return Workload(
        stored,
        np.concatenate([planted, unrelated])[order],
        np.concatenate([rows, np.full(queries - half, -1)])[order],
        np.concatenate([flips, np.full(queries - half, -1)])[order],
    )


def cpu_seconds(action: Callable[[], Any]) -> tuple[Any, float]:
    """Result of ``action`` and the process CPU time it took."""
    start = time.process_time()
    result = action()
    return result, time.process_time() - start


def rss() -> int:
    """Resident anonymous memory of this process, in bytes (mapped files not counted), after
    handing freed heap memory back to the system so that growth is measured, not reuse."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    info = psutil.Process().memory_info()
    return int(info.rss - info.shared)


def pairs_of(matches: CodeMatches, count: int) -> set[tuple[int, int]]:
    """(query, id) pairs of the first ``count`` queries."""
    owners = np.repeat(np.arange(len(matches)), np.diff(matches.starts))
    keep = owners < count
    return set(zip(owners[keep].tolist(), matches.ids[keep].tolist(), strict=True))


def faiss_pairs(lims: npt.NDArray[Any], labels: npt.NDArray[Any]) -> set[tuple[int, int]]:
    """(query, id) pairs of a FAISS range search result."""
    bounds = np.asarray(lims, dtype=np.int64)
    owners = np.repeat(np.arange(len(bounds) - 1), bounds[1:] - bounds[:-1])
    return set(zip(owners.tolist(), labels.tolist(), strict=True))


def _timed_queries(index: HammingIndex, load: Workload) -> dict[str, Any]:
    start = time.perf_counter()
    index.query_codes(load.queries[:1], RADIUS)
    first_query = time.perf_counter() - start
    queries = load.queries
    singles, single_time = cpu_seconds(
        lambda: [index.query_codes(queries[i : i + 1], RADIUS) for i in range(len(queries))]
    )
    batch, batch_time = cpu_seconds(lambda: index.query_codes(queries, RADIUS))
    same = all(
        np.array_equal(s.ids, batch.ids[batch.starts[i] : batch.starts[i + 1]])
        for i, s in enumerate(singles)
    )
    planted = np.flatnonzero(load.sources >= 0)
    found = sum(
        int(load.sources[i]) in batch.ids[batch.starts[i] : batch.starts[i + 1]].tolist()
        for i in planted.tolist()
    )
    return {
        "matches": batch,
        "first_query_s": first_query,
        "ours_qps": len(queries) / single_time,
        "ours_batch_qps": len(queries) / batch_time,
        "single_equals_batch": same,
        "planted_recall": found / max(len(planted), 1),
    }


def _build_query_save(load: Workload, directory: Path) -> dict[str, Any]:
    before = rss()
    index = HammingIndex()
    _, build = cpu_seconds(lambda: index.add_codes(load.stored, np.arange(len(load.stored))))
    grown = rss() - before
    row = _timed_queries(index, load)
    stats = index.stats()
    shutil.rmtree(directory, ignore_errors=True)
    _, save = cpu_seconds(lambda: index.save(directory))
    row.update(
        build_s=build,
        bytes_per_hash=stats["bytes_per_code"],
        rss_bytes_per_hash=grown / len(load.stored),
        segments=stats["segments"],
        save_s=save,
    )
    return row


def _reopen(load: Workload, directory: Path, matches: CodeMatches) -> dict[str, Any]:
    start = time.perf_counter()
    index = HammingIndex.load(directory)
    open_s = time.perf_counter() - start
    index.query_codes(load.queries, RADIUS)  # pages in what the queries touch
    again, again_time = cpu_seconds(lambda: index.query_codes(load.queries, RADIUS))
    return {
        "open_s": open_s,
        "reopened_batch_qps": len(load.queries) / again_time,
        "reopened_same": bool(np.array_equal(again.ids, matches.ids)),
    }


def run_ours(load: Workload, directory: Path) -> dict[str, Any]:
    """Build, query (single and batch), save and reopen our index (one copy in memory at a
    time)."""
    row = _build_query_save(load, directory)
    gc.collect()
    row.update(_reopen(load, directory, row["matches"]))
    gc.collect()
    shutil.rmtree(directory, ignore_errors=True)
    return row


def _flat(stored: npt.NDArray[np.uint8], queries: npt.NDArray[np.uint8]) -> dict[str, Any]:
    index = faiss.IndexBinaryFlat(256)
    _, build = cpu_seconds(lambda: index.add(stored))
    (lims, _, labels), seconds = cpu_seconds(lambda: index.range_search(queries, RADIUS + 1))
    return {
        "faiss_flat_build_s": build,
        "faiss_flat_qps": len(queries) / seconds,
        "truth": faiss_pairs(lims, labels),
    }


def _multi_hash(stored: npt.NDArray[np.uint8], queries: npt.NDArray[np.uint8]) -> dict[str, Any]:
    before = rss()
    index = faiss.IndexBinaryMultiHash(256, 16, 16)
    index.nflip = 1
    _, build = cpu_seconds(lambda: index.add(stored))
    grown = rss() - before
    (lims, _, labels), seconds = cpu_seconds(lambda: index.range_search(queries, RADIUS + 1))
    return {
        "faiss_mih_build_s": build,
        "faiss_mih_bytes_per_hash": grown / len(stored),
        "faiss_mih_qps": len(queries) / seconds,
        "mih_pairs": faiss_pairs(lims, labels),
    }


def run_faiss(
    load: Workload, anchors: int, with_mih: bool
) -> tuple[dict[str, Any], set[tuple[int, int]]]:
    """FAISS flat (the ground truth) and multi-hash on the first ``anchors`` queries, one
    thread, one index in memory at a time."""
    faiss.omp_set_num_threads(1)
    stored = codes_to_bytes(load.stored)
    queries = codes_to_bytes(load.queries[:anchors])
    out = _flat(stored, queries)
    truth: set[tuple[int, int]] = out.pop("truth")
    gc.collect()
    out["faiss_mih_qps"] = None
    if with_mih:
        out.update(_multi_hash(stored, queries))
        out["faiss_mih_recall"] = len(out.pop("mih_pairs") & truth) / max(len(truth), 1)
        gc.collect()
    return out, truth


def measure(kind: str, n: int, args: argparse.Namespace) -> dict[str, Any]:
    """One row of the report."""
    load = workload(kind, n, args.queries, args.photos, args.seed)
    anchors = int(min(args.queries, max(args.min_anchors, args.anchor_budget // n)))
    ours = run_ours(load, OUT / f"matching-index-{kind}-{n}")
    with_mih = n <= args.mih_max_n
    theirs, truth = run_faiss(load, anchors, with_mih)
    found = pairs_of(ours.pop("matches"), anchors)
    row: dict[str, Any] = {"n": n, "codes": kind, "queries": args.queries, "anchors": anchors}
    row.update(ours)
    row.update(theirs)
    row["recall"] = len(found & truth) / max(len(truth), 1)
    row["extra_hits"] = len(found - truth)
    row["true_hits"] = len(truth)
    row["ratio_flat"] = row["ours_qps"] / row["faiss_flat_qps"]
    row["ratio_batch_flat"] = row["ours_batch_qps"] / row["faiss_flat_qps"]
    if row["faiss_mih_qps"]:
        row["ratio_mih"] = row["ours_qps"] / row["faiss_mih_qps"]
    else:
        row["faiss_mih_skipped"] = f"N above --mih-max-n ({args.mih_max_n:.0e})"
    return row


def _exact_side(stored: list[str], lookups: list[str]) -> dict[str, Any]:
    n = len(stored)
    before = rss()
    index = ExactIndex()
    _, build = cpu_seconds(lambda: index.add(stored, list(range(n))))
    grown = rss() - before
    found, seconds = cpu_seconds(lambda: [index.query(v) for v in lookups])
    directory = OUT / f"matching-exact-{n}"
    shutil.rmtree(directory, ignore_errors=True)
    index.save(directory)
    start = time.perf_counter()
    ExactIndex.load(directory)
    open_s = time.perf_counter() - start
    shutil.rmtree(directory, ignore_errors=True)
    return {
        "exact_build_s": build,
        "exact_lookups_per_s": len(lookups) / seconds,
        "exact_bytes_per_hash": index.nbytes / n,
        "exact_rss_bytes_per_hash": grown / n,
        "exact_open_s": open_s,
        "exact_hits": sum(1 for f in found if f),
    }


def _dict_side(stored: list[str], lookups: list[str]) -> dict[str, Any]:
    before = rss()
    table: dict[str, set[int]] = {}

    def build() -> None:
        for i, value in enumerate(stored):
            table.setdefault(value, set()).add(i)

    _, build_s = cpu_seconds(build)
    grown = rss() - before
    _, seconds = cpu_seconds(lambda: [sorted(table.get(v, ())) for v in lookups])
    return {
        "dict_build_s": build_s,
        "dict_rss_bytes_per_hash": grown / len(stored),
        "dict_lookups_per_s": len(lookups) / seconds,
    }


def exact_row(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """MD5 lookups: ``ExactIndex`` against a plain dict of value to ids (the design it
    replaced), both built from the same ``n`` digests; half the lookups hit."""
    rng = np.random.default_rng(args.seed)
    raw = rng.integers(0, 256, (n + args.queries // 2, 16), dtype=np.uint8)
    values = [bytes(row).hex() for row in raw]
    stored, missing = values[:n], values[n:]
    hits = [stored[i] for i in rng.choice(n, args.queries - len(missing), replace=False)]
    lookups = [v for pair in zip(hits, missing, strict=False) for v in pair]
    row: dict[str, Any] = {"n": n, "codes": "md5"}
    row.update(_exact_side(stored, lookups))
    gc.collect()
    row.update(_dict_side(stored, lookups))
    return row


def report(row: dict[str, Any]) -> str:
    """The human-readable lines of one row."""
    if row["codes"] == "md5":
        return (
            f"N={row['n']:.0e} md5: ExactIndex {row['exact_lookups_per_s']:.0f} lookups/s, "
            f"{row['exact_bytes_per_hash']:.1f} B/hash "
            f"(RSS {row['exact_rss_bytes_per_hash']:.1f}), "
            f"build {row['exact_build_s']:.1f} s, open {row['exact_open_s'] * 1000:.1f} ms, "
            f"{row['exact_hits']} hits\n"
            f"  dict: {row['dict_lookups_per_s']:.0f} lookups/s, "
            f"RSS {row['dict_rss_bytes_per_hash']:.1f} B/hash, build {row['dict_build_s']:.1f} s"
        )
    mih = row["faiss_mih_qps"]
    lines = [
        f"N={row['n']:.0e} {row['codes']}: {row['queries']} queries ({row['anchors']} for FAISS)",
        f"  ours: {row['ours_qps']:.0f} q/s single, {row['ours_batch_qps']:.0f} q/s batch, "
        f"build {row['build_s']:.1f} s, {row['bytes_per_hash']:.1f} B/hash "
        f"(RSS {row['rss_bytes_per_hash']:.1f}), first query {row['first_query_s']:.2f} s",
        f"  reopen {row['open_s'] * 1000:.1f} ms, then {row['reopened_batch_qps']:.0f} q/s batch",
        f"  FAISS flat {row['faiss_flat_qps']:.1f} q/s -> x{row['ratio_flat']:.0f} single, "
        f"x{row['ratio_batch_flat']:.0f} batch",
        f"  FAISS MIH {mih:.1f} q/s ({row.get('faiss_mih_bytes_per_hash', 0):.0f} B/hash)"
        if mih
        else f"  FAISS MIH skipped: {row['faiss_mih_skipped']}",
        f"  recall {row['recall']:.4f} ({row['true_hits']} true hits, {row['extra_hits']} extra),"
        f" planted {row['planted_recall']:.4f}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=float, nargs="+", default=[1e6], help="stored codes")
    parser.add_argument(
        "--codes", nargs="+", choices=["random", "realistic"], default=["random", "realistic"]
    )
    parser.add_argument(
        "--photos",
        type=Path,
        default=None,
        help="photo folder for realistic codes (default: generated images)",
    )
    parser.add_argument("--queries", type=int, default=4000)
    parser.add_argument(
        "--anchor-budget",
        type=float,
        default=2e9,
        help="FAISS gets anchor-budget / N queries (between --min-anchors and all)",
    )
    parser.add_argument("--min-anchors", type=int, default=50)
    parser.add_argument(
        "--mih-max-n",
        type=float,
        default=3e7,
        help="skip FAISS multi-hash above this N (it needs ~300 B/hash)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print JSON lines only")
    parser.add_argument(
        "--exact", action="store_true", help="benchmark the exact index on MD5s instead"
    )
    args = parser.parse_args(argv)
    for n in (int(x) for x in args.n):
        if args.exact:
            row = exact_row(n, args)
            print(json.dumps(row) if args.json else report(row), flush=True)
            continue
        for kind in args.codes:
            row = measure(kind, n, args)
            print(json.dumps(row) if args.json else report(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
