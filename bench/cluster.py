"""Scans on a Dask cluster against the local worker pool, and what one coordinator can feed.

In one run, over the same generated folder of JPEGs (``bench.scan.build_folder``):

1. ``scan_exhibit`` with ``--workers`` local worker processes (the anchor);
2. ``scan_exhibit`` on a Dask ``LocalCluster`` of as many worker processes (one thread each,
   127.0.0.1, no dashboard), started before the clock starts as a cluster would be;
   alternating, ``--repeat`` times each, keeping each side's best rate (the machine is shared);
3. a cost model from what the cluster scan cost the coordinator, per file: CPU seconds of the
   coordinating process (all its threads), bytes of one pickled result, database statements and
   the seconds spent in them. From those and ``--machine-cores``, it says how many worker
   machines one coordinator, one database and one network link feed before saturating.

    PYTHONPATH=src python -m bench.cluster [--count N] [--workers N] [--db URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from distributed import LocalCluster
from sqlalchemy import event

from bench.scan import build_folder
from interlink.adapters.sql.store import SqlStore
from interlink.domain.provenance import SourceRef
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.services.worker import WorkItem, run

#: A 10 Gb/s link between the coordinator and the workers, in bytes per second.
LINK_BYTES_PER_S = 10e9 / 8


class _Statements:
    """Counts the writing statements an engine executes (a multi-row INSERT is one), and the
    time spent in every statement."""

    def __init__(self) -> None:
        self.statements = 0
        self.seconds = 0.0
        self._started = 0.0

    def before(self, conn: Any, cursor: Any, statement: str, params: Any, *rest: Any) -> None:
        self._started = time.perf_counter()
        if statement.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE"}:
            self.statements += 1

    def after(self, *args: Any) -> None:
        self.seconds += time.perf_counter() - self._started


def scan(folder: Path, options: ScanOptions, url: str | None) -> dict[str, Any]:
    """One scan into a fresh store; its rate, coordinator CPU and database cost."""
    with tempfile.TemporaryDirectory(prefix="interlink-bench-") as scratch:
        store = SqlStore.open(url or f"sqlite:///{Path(scratch) / 'bench.db'}")
        counter = _Statements()
        event.listen(store.engine, "before_cursor_execute", counter.before)
        event.listen(store.engine, "after_cursor_execute", counter.after)
        try:
            cpu, started = time.process_time(), time.perf_counter()
            result = scan_exhibit(store, folder, case=f"bench-{time.time_ns()}", options=options)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            store.close()
    files = result.summary.files
    return {
        "files": files,
        "files_per_s": files / elapsed,
        "cpu_per_file": cpu / files,
        "writes_per_file": counter.statements / files,
        "db_seconds_per_file": counter.seconds / files,
    }


def result_bytes(folder: Path, sample: int = 20) -> tuple[float, float]:
    """Mean bytes of one pickled ``WorkResult``, and mean file size, over ``sample`` files."""
    paths = sorted(folder.glob("*.jpg"))[:sample]
    sizes = [
        len(pickle.dumps(run(WorkItem(i, SourceRef("x").child("file", p.name), path=str(p)))))
        for i, p in enumerate(paths)
    ]
    return sum(sizes) / len(sizes), sum(p.stat().st_size for p in paths) / len(paths)


def model(
    dask: dict[str, Any], workers: int, machine_cores: int, result: float, size: float
) -> dict[str, Any]:
    """How many worker machines of ``machine_cores`` one coordinator, database and link feed."""
    per_core = dask["files_per_s"] / workers
    per_machine = per_core * machine_cores
    limits = {
        "coordinator_cpu": 1 / dask["cpu_per_file"],
        "database": 1 / dask["db_seconds_per_file"] if dask["db_seconds_per_file"] else 1e12,
        "results_link": LINK_BYTES_PER_S / result,
        "evidence_link": LINK_BYTES_PER_S / size,
    }
    bound = min(limits, key=lambda name: limits[name])
    return {
        "files_per_s_per_worker_core": round(per_core, 2),
        "files_per_s_per_machine": round(per_machine, 1),
        "limits_files_per_s": {name: round(value, 1) for name, value in limits.items()},
        "saturates_on": bound,
        "machines_fed": round(limits[bound] / per_machine, 1),
    }


def run_bench(
    count: int, megapixels: float, workers: int, repeat: int, url: str | None, cores: int
) -> dict[str, Any]:
    folder = build_folder(None, count, megapixels)
    load_before = os.getloadavg()[0]
    local: list[dict[str, Any]] = []
    dask: list[dict[str, Any]] = []
    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
        # The scheduler's HTTP routes go on a free port, not 8787 (taken by any other cluster).
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        scan(folder, ScanOptions(workers=workers, inline_below=0), None)  # warm the page cache
        for _ in range(repeat):
            local.append(scan(folder, ScanOptions(workers=workers, inline_below=0), url))
            dask.append(scan(folder, ScanOptions(cluster=cluster.scheduler_address), url))
    best_local = max(local, key=lambda r: r["files_per_s"])
    best_dask = max(dask, key=lambda r: r["files_per_s"])
    result, size = result_bytes(folder)
    return {
        "files": count,
        "megapixels": megapixels,
        "workers": workers,
        "repeat": repeat,
        "database": "postgresql" if url and url.startswith("postgresql") else "sqlite",
        "local_files_per_s": round(best_local["files_per_s"], 2),
        "dask_files_per_s": round(best_dask["files_per_s"], 2),
        "ratio": round(best_dask["files_per_s"] / best_local["files_per_s"], 3),
        "all_local_files_per_s": [round(r["files_per_s"], 2) for r in local],
        "all_dask_files_per_s": [round(r["files_per_s"], 2) for r in dask],
        "coordinator_cpu_ms_per_file": round(best_dask["cpu_per_file"] * 1e3, 3),
        "local_coordinator_cpu_ms_per_file": round(best_local["cpu_per_file"] * 1e3, 3),
        "result_bytes": round(result),
        "file_bytes": round(size),
        "db_writes_per_file": round(best_dask["writes_per_file"], 3),
        "db_ms_per_file": round(best_dask["db_seconds_per_file"] * 1e3, 3),
        "model": model(best_dask, workers, cores, result, size) | {"machine_cores": cores},
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=300, help="how many generated JPEGs")
    parser.add_argument("--megapixels", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--repeat", type=int, default=2, help="scans of each kind (best kept)")
    parser.add_argument("--db", help="database URL for the scans (default: a fresh SQLite)")
    parser.add_argument("--machine-cores", type=int, default=32, help="cores per worker machine")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    args = parser.parse_args(argv)
    out = run_bench(
        args.count, args.megapixels, args.workers, args.repeat, args.db, args.machine_cores
    )
    if args.json:
        print(json.dumps(out))
        return 0
    m = out["model"]
    print(
        f"{out['files']} JPEGs of {out['megapixels']} MP, {out['workers']} workers, "
        f"{out['database']}:\n"
        f"  local pool:   {out['local_files_per_s']:8.1f} files/s\n"
        f"  Dask cluster: {out['dask_files_per_s']:8.1f} files/s  ({out['ratio']:.0%} of local)\n"
        f"  per file: coordinator {out['coordinator_cpu_ms_per_file']} ms CPU, result "
        f"{out['result_bytes']} B, {out['db_writes_per_file']} writes "
        f"({out['db_ms_per_file']} ms in the database)\n"
        f"  limits (files/s): {m['limits_files_per_s']}\n"
        f"  one coordinator feeds {m['machines_fed']} machines of {m['machine_cores']} cores "
        f"({m['files_per_s_per_machine']} files/s each); saturates on {m['saturates_on']}\n"
        f"  load average {out['load_average_before']} -> {out['load_average_after']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
