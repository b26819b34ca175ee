"""``interlink scan`` end to end on a folder of JPEGs, against the hashing rate it is built on.

In one run, over the same folder:

1. the hashing rate on one core: for each file, read it, then MD5 + SHA-1 + SHA-256 + decode +
   PDQ (``bench.hashing``'s "ours" path), with and without the scan's 256-pixel thumbnail;
2. ``scan_exhibit`` into a fresh SQLite store with ``--workers`` worker processes (everything a
   scan does: enumeration, hashing, PDQ, thumbnails, clues, matching against a list, batched
   commits).

It prints the scan's rate as a share of ``workers`` times the one-core hashing rate: the share of
the machine's hashing capacity a real scan delivers. On a shared machine wall-clock rates move
with everyone else's load, so it also prints the CPU time per file of each (the scan's counts
its own process, the fork server and the workers): ``cpu_share_of_hashing`` is the hashing CPU
per file over the scan's, the share an idle machine would show with perfect parallelism.

    PYTHONPATH=src python -m bench.scan [--photos DIR] [--count N] [--megapixels MP] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from bench.hashing import as_jpeg, crypto_hashes, source_images
from interlink.adapters.sql.store import SqlStore
from interlink.media.image import analyse_image
from interlink.services.scan import ScanOptions, scan_exhibit

OUT = Path(__file__).parent / "out"


def build_folder(photos: Path | None, count: int, megapixels: float) -> Path:
    """``count`` JPEGs of about ``megapixels`` MP (cached under ``bench/out``)."""
    label = "photos" if photos else "generated"
    folder = OUT / f"scan-{label}-{count}-{megapixels:g}mp"
    done = folder / ".complete"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pixels = int(megapixels * 1_000_000)
    made = 0
    while made < count:
        for name, image in source_images(photos, count):
            if made >= count:
                break
            (folder / f"{made:05d}-{Path(name).stem}.jpg").write_bytes(as_jpeg(image, pixels))
            made += 1
    done.write_text("ok\n")
    return folder


class ProcessCpu:
    """CPU seconds of this process and of every process started under it while measuring
    (the fork server and the workers, which this process never waits for): its descendants
    are sampled every ``interval`` seconds, each keeping the last figure seen (a worker's last
    ``interval`` before it exits is missed); the sampling's own CPU is left out."""

    def __init__(self, interval: float = 0.25) -> None:
        self._interval = interval
        self._seen: dict[int, float] = {}
        self._sampling = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._me = psutil.Process()
        self._before = self._own()
        self._known = {p.pid for p in self._me.children(recursive=True)}

    def _own(self) -> float:
        times = self._me.cpu_times()
        return float(times.user + times.system)

    def _sample(self) -> None:
        started = time.thread_time()
        try:
            self._poll()
        finally:
            self._sampling = time.thread_time() - started

    def _poll(self) -> None:
        while True:
            for child in self._me.children(recursive=True):
                if child.pid in self._known:
                    continue
                try:
                    times = child.cpu_times()
                except psutil.Error:
                    continue
                self._seen[child.pid] = float(times.user + times.system)
            if self._stop.wait(self._interval):
                return

    def __enter__(self) -> ProcessCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        own = self._own() - self._before - self._sampling
        self.seconds = own + sum(self._seen.values())


def hashing_rate(folder: Path, thumbnail: bool) -> tuple[float, float]:
    """Files per second on one core: read, crypto hashes, decode, PDQ (and the thumbnail);
    and the CPU seconds per file."""
    files = sorted(folder.glob("*.jpg"))
    started, cpu = time.perf_counter(), time.process_time()
    for path in files:
        data = path.read_bytes()
        crypto_hashes(data)
        analyse_image(data, thumbnail_size=256 if thumbnail else 0)
    per_file = (time.process_time() - cpu) / len(files)
    return len(files) / (time.perf_counter() - started), per_file


def scan_rate(folder: Path, workers: int) -> tuple[float, float, dict[str, Any]]:
    """Files per second of a whole scan into a fresh SQLite store, its CPU seconds per file
    (all processes), and its summary."""
    with tempfile.TemporaryDirectory(prefix="interlink-bench-") as scratch:
        store = SqlStore.open(f"sqlite:///{Path(scratch) / 'bench.db'}")
        try:
            started = time.perf_counter()
            with ProcessCpu() as cpu:
                options = ScanOptions(workers=workers)
                result = scan_exhibit(store, folder, case="bench", options=options)
            elapsed, used = time.perf_counter() - started, cpu.seconds
        finally:
            store.close()
    files = result.summary.files
    return files / elapsed, used / files, result.summary.to_json()


def run(photos: Path | None, count: int, megapixels: float, workers: int) -> dict[str, Any]:
    folder = build_folder(photos, count, megapixels)
    cores = len(os.sched_getaffinity(0))
    load_before = os.getloadavg()[0]
    # One core for the hashing rate: pin this process, measure, then release it for the scan.
    everything = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(everything)})
    try:
        hashing_rate(folder, thumbnail=False)  # warm the page cache and the code paths
        bare, bare_cpu = hashing_rate(folder, thumbnail=False)
        with_thumbnail, thumbnail_cpu = hashing_rate(folder, thumbnail=True)
    finally:
        os.sched_setaffinity(0, everything)
    scanned, scan_cpu, summary = scan_rate(folder, workers)
    return {
        "source": str(photos) if photos else "generated",
        "files": count,
        "megapixels": megapixels,
        "cores": cores,
        "workers": workers,
        "hashing_rate_1core": round(bare, 2),
        "hashing_rate_with_thumbnail_1core": round(with_thumbnail, 2),
        "scan_rate": round(scanned, 2),
        "share_of_hashing": round(scanned / (workers * bare), 3),
        "share_of_hashing_with_thumbnail": round(scanned / (workers * with_thumbnail), 3),
        "cpu_ms_per_file": {
            "hashing": round(bare_cpu * 1000, 3),
            "hashing_with_thumbnail": round(thumbnail_cpu * 1000, 3),
            "scan": round(scan_cpu * 1000, 3),
        },
        "cpu_share_of_hashing": round(bare_cpu / scan_cpu, 3),
        "cpu_share_of_hashing_with_thumbnail": round(thumbnail_cpu / scan_cpu, 3),
        "scan_files": summary["files"],
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--photos", type=Path, help="folder of photos (default: generated)")
    parser.add_argument("--count", type=int, default=300, help="how many files")
    parser.add_argument("--megapixels", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    args = parser.parse_args(argv)
    result = run(args.photos, args.count, args.megapixels, args.workers)
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"{result['files']} JPEGs of {result['megapixels']} MP ({result['source']}):\n"
        f"  hashing, one core:           {result['hashing_rate_1core']:8.1f} files/s\n"
        f"  hashing + thumbnail, 1 core: {result['hashing_rate_with_thumbnail_1core']:8.1f}"
        " files/s\n"
        f"  interlink scan, {result['workers']} workers:   {result['scan_rate']:8.1f} files/s\n"
        f"  share of {result['workers']} x hashing rate:  {result['share_of_hashing']:.0%}"
        f" ({result['share_of_hashing_with_thumbnail']:.0%} of hashing + thumbnail)\n"
        f"  CPU per file: hashing {result['cpu_ms_per_file']['hashing']:.2f} ms, scan"
        f" {result['cpu_ms_per_file']['scan']:.2f} ms: {result['cpu_share_of_hashing']:.0%}\n"
        f"  load average {result['load_average_before']} -> {result['load_average_after']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
