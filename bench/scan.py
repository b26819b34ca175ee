"""``interlink scan`` end to end on a folder of JPEGs, against the hashing rate of the same cores.

In one run, over the same folder, alternately:

1. **the anchor, hashing alone**: ``--workers`` processes (forked, so nothing is imported while
   timed), each given its share of the files up front, do for each file the per-file analysis a
   scan's worker does: read it, MD5 + SHA-1 + SHA-256, one (reduced) decode, PDQ with its 8
   variants, the ORB signal and the 256-pixel thumbnail (``analyse_image(..., robust=True)``);
   no store, no coordinator, no inter-process traffic;
2. ``scan_exhibit`` into a fresh SQLite store with ``--workers`` worker processes (everything a
   scan does: enumeration, the same analysis plus EXIF/XMP clues, collecting results, the
   batched commits, the exhibit summary and the case-linking hook).

The order is anchor, scan, anchor, scan, ..., anchor (``--rounds`` scans); each scan's share is
its rate over the mean of the two anchors around it, so a change of load during the run moves
both sides alike. ``share_of_hashing`` is the median of the rounds. It also prints the CPU time
per file of each (the scan's counts its own process, the fork server and the workers):
``cpu_share_of_hashing`` is the anchor's CPU per file over the scan's, the share an idle machine
would show with perfect parallelism. ``--robust-off`` adds to each round a scan with the ORB
signal off, just before the scan with it on in even rounds and just after it in odd ones:
``robust_on_shares`` are each round's rate with it on over the rate with it off, and
``robust_on_share`` their median; ``robust_on_cpu_share`` is the CPU per file with it off over
the CPU per file with it on (medians), steadier than the rates on a loaded machine.

    PYTHONPATH=src:. python -m bench.scan [--photos DIR] [--count N] [--megapixels MP]
        [--workers N] [--rounds N] [--robust-off] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
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
from interlink.media.analyse import AnalysisOptions
from interlink.media.image import analyse_image
from interlink.services.scan import ScanOptions, scan_exhibit

OUT = Path(__file__).parent / "out"


def build_folder(photos: Path | None, count: int, megapixels: float) -> Path:
    """``count`` JPEGs of about ``megapixels`` MP (cached under ``bench/out``)."""
    label = "photos" if photos else "generated"
    folder = OUT / f"scan-{label}-{count}-{megapixels:g}mp"
    done = folder.with_name(folder.name + ".complete")  # beside it: not a file of the scan
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


def folder_arguments(doc: str | None) -> argparse.ArgumentParser:
    """The arguments of benchmarks over a folder of JPEGs: photos, count, size, workers, JSON."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--photos", type=Path, help="folder of photos (default: generated)")
    parser.add_argument("--count", type=int, default=300, help="how many files")
    parser.add_argument("--megapixels", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    return parser


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


def analyse_file(path: Path) -> None:
    """The anchor's work on one file: read, crypto hashes, decode, PDQ, ORB, thumbnail."""
    data = path.read_bytes()
    crypto_hashes(data)
    analyse_image(data, robust=True)


def _hash_share(paths: list[Path], start: Any, results: Any) -> None:
    """One anchor process: wait for the start, analyse its files, report CPU seconds."""
    start.wait()
    cpu = time.process_time()
    for path in paths:
        analyse_file(path)
    results.put(time.process_time() - cpu)


def hashing_rate(folder: Path, processes: int) -> tuple[float, float]:
    """Files per second of ``processes`` forked processes analysing their share of the files
    (timed from a common start to the last one's end), and their CPU seconds per file."""
    files = sorted(folder.glob("*.jpg"))
    context = multiprocessing.get_context("fork")
    start = context.Barrier(processes + 1)
    results = context.SimpleQueue()
    workers = [
        context.Process(target=_hash_share, args=(files[n::processes], start, results))
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.perf_counter()
    cpu = sum(results.get() for _ in workers)
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    return len(files) / elapsed, cpu / len(files)


def scan_rate(
    folder: Path, workers: int, robust: bool = True
) -> tuple[float, float, dict[str, Any]]:
    """Files per second of a whole scan into a fresh SQLite store (``robust``: with the ORB
    signal), its CPU seconds per file (all processes), and its summary."""
    with tempfile.TemporaryDirectory(prefix="interlink-bench-") as scratch:
        store = SqlStore.open(f"sqlite:///{Path(scratch) / 'bench.db'}")
        try:
            started = time.perf_counter()
            with ProcessCpu() as cpu:
                options = ScanOptions(workers=workers, analysis=AnalysisOptions(robust=robust))
                result = scan_exhibit(store, folder, case="bench", options=options)
            elapsed, used = time.perf_counter() - started, cpu.seconds
        finally:
            store.close()
    files = result.summary.files
    return files / elapsed, used / files, result.summary.to_json()


def run(
    photos: Path | None,
    count: int,
    megapixels: float,
    workers: int,
    rounds: int = 1,
    robust_off: bool = False,
) -> dict[str, Any]:
    folder = build_folder(photos, count, megapixels)
    cores = len(os.sched_getaffinity(0))
    loads = [round(os.getloadavg()[0], 2)]
    for path in sorted(folder.glob("*.jpg")):
        path.read_bytes()  # the page cache, for both sides alike
    anchors = [hashing_rate(folder, workers)]
    scans: list[tuple[float, float, dict[str, Any]]] = []
    offs: list[tuple[float, float, dict[str, Any]]] = []
    for n in range(rounds):
        if robust_off and n % 2 == 0:
            offs.append(scan_rate(folder, workers, robust=False))
        scans.append(scan_rate(folder, workers))
        if robust_off and n % 2 == 1:
            offs.append(scan_rate(folder, workers, robust=False))
        anchors.append(hashing_rate(folder, workers))
        loads.append(round(os.getloadavg()[0], 2))
    shares = [scan[0] / ((anchors[n][0] + anchors[n + 1][0]) / 2) for n, scan in enumerate(scans)]
    anchor_cpu = statistics.median(cpu for _, cpu in anchors)
    scan_cpu = statistics.median(cpu for _, cpu, _ in scans)
    result: dict[str, Any] = {
        "source": str(photos) if photos else "generated",
        "files": count,
        "megapixels": megapixels,
        "cores": cores,
        "workers": workers,
        "hashing_rates": [round(rate, 2) for rate, _ in anchors],
        "scan_rates": [round(rate, 2) for rate, _, _ in scans],
        "shares": [round(share, 3) for share in shares],
        "hashing_rate": round(statistics.median(rate for rate, _ in anchors), 2),
        "scan_rate": round(statistics.median(rate for rate, _, _ in scans), 2),
        "share_of_hashing": round(statistics.median(shares), 3),
        "cpu_ms_per_file": {
            "hashing": round(anchor_cpu * 1000, 3),
            "scan": round(scan_cpu * 1000, 3),
        },
        "cpu_share_of_hashing": round(anchor_cpu / scan_cpu, 3),
        "scan_files": scans[-1][2]["files"],
        "load_averages": loads,
    }
    if robust_off:
        on_shares = [scan[0] / off[0] for scan, off in zip(scans, offs, strict=True)]
        off_cpu = statistics.median(cpu for _, cpu, _ in offs)
        result["scan_rates_robust_off"] = [round(rate, 2) for rate, _, _ in offs]
        result["scan_rate_robust_off"] = round(statistics.median(r for r, _, _ in offs), 2)
        result["robust_on_shares"] = [round(share, 3) for share in on_shares]
        result["robust_on_share"] = round(statistics.median(on_shares), 3)
        result["cpu_ms_per_file"]["scan_robust_off"] = round(off_cpu * 1000, 3)
        result["robust_on_cpu_share"] = round(off_cpu / scan_cpu, 3)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = folder_arguments(__doc__)
    parser.add_argument("--rounds", type=int, default=1, help="scans, each between anchors")
    parser.add_argument("--robust-off", action="store_true", help="also scan without ORB")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.workers < 1:
        parser.error("--rounds and --workers must be at least 1")
    result = run(
        args.photos, args.count, args.megapixels, args.workers, args.rounds, args.robust_off
    )
    if args.json:
        print(json.dumps(result))
        return 0
    workers = result["workers"]
    print(
        f"{result['files']} JPEGs of {result['megapixels']} MP ({result['source']}):\n"
        f"  hashing alone, {workers} processes: {result['hashing_rate']:8.1f} files/s"
        f" {result['hashing_rates']}\n"
        f"  interlink scan, {workers} workers:  {result['scan_rate']:8.1f} files/s"
        f" {result['scan_rates']}\n"
        f"  share of hashing:              {result['share_of_hashing']:.1%}"
        f" {result['shares']}\n"
        f"  CPU per file: hashing {result['cpu_ms_per_file']['hashing']:.2f} ms, scan"
        f" {result['cpu_ms_per_file']['scan']:.2f} ms: {result['cpu_share_of_hashing']:.0%}\n"
        f"  load averages {result['load_averages']}"
    )
    if "robust_on_share" in result:
        print(
            f"  scan with the ORB signal off: {result['scan_rate_robust_off']:8.1f} files/s"
            f" {result['scan_rates_robust_off']} (on: {result['robust_on_share']:.1%} of off,"
            f" {result['robust_on_shares']}; CPU per file"
            f" {result['cpu_ms_per_file']['scan_robust_off']:.2f} ms:"
            f" {result['robust_on_cpu_share']:.0%})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
