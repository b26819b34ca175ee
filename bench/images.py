"""Disk images against a folder: the same files scanned from a folder, from an E01 and from a raw
image of an ext4 file system holding them, side by side in one run; and the carving rate.

1. ``count`` JPEGs in a folder (generated, or from ``--photos``), cached under ``bench/out``;
2. an ext4 file system built from that folder (``mke2fs -d``) as a raw image, and E01s of it
   (``ewfacquire``): with fast deflate, as EnCase images usually are, and without compression;
3. ``--rounds`` rounds (after a warm-up scan of the folder and of the raw image), each a
   ``scan_exhibit`` of every source into a fresh SQLite store with ``--workers`` workers,
   carving off (carving is measured on its own); even rounds take the folder first, odd rounds
   last, so a change of load during the run falls on the folder and the images alike. Each
   image's share of the folder is its rate over the folder's rate in the same round; the
   result is the median of the rounds (each round's share is listed too). CPU milliseconds per
   file, medians of the rounds: all processes, the coordinator (this process: the one serial
   stage, which walks an image and sniffs each file's head) and the workers (with the fork
   server); the folder's CPU per file over each image's, a share that a busy machine disturbs
   less; and whether each image gave exactly the folder's files in every round (SHA-256 of
   every sighting; the exit status is 1 if not);
4. carving over a volume of unallocated space read through dfVFS (``carve`` with the sector
   alignment disk images use), in MB per CPU second of this process: random bytes (nothing to
   find) and the same volume densely packed with the JPEGs.

    PYTHONPATH=src:. python -m bench.images [--photos DIR] [--count N] [--rounds N]
        [--carve-mb MB] [--json]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.scan import ProcessCpu, build_folder, folder_arguments
from interlink.adapters.sql.store import SqlStore
from interlink.domain.provenance import SourceRef
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.sources.base import DiskOptions

OUT = Path(__file__).parent / "out"


def build_images(folder: Path) -> tuple[Path, Path, Path]:
    """A raw ext4 image of ``folder``, an E01 of it with fast deflate (as EnCase images usually
    are) and one without compression (cached beside the folder)."""
    raw = folder.with_name(folder.name + "-ext4.raw")
    e01 = folder.with_name(folder.name + "-ext4.E01")
    plain = folder.with_name(folder.name + "-ext4-plain.E01")
    if raw.exists() and e01.exists() and plain.exists():
        return raw, e01, plain
    total = sum(path.stat().st_size for path in folder.iterdir())
    size_mb = total * 13 // 10 // (1 << 20) + 32
    raw.unlink(missing_ok=True)
    subprocess.run(
        ["mke2fs", "-q", "-F", "-t", "ext4", "-d", str(folder), str(raw), f"{size_mb}M"],
        check=True,
        capture_output=True,
    )
    for target, method in ((e01, "deflate:fast"), (plain, "none")):
        subprocess.run(
            [
                "ewfacquire",
                "-u",
                "-q",
                "-t",
                str(target.with_suffix("")),
                "-c",
                method,
                "-S",
                "2GiB",
                str(raw),
            ],
            check=True,
            capture_output=True,
        )
    return raw, e01, plain


@dataclass(frozen=True)
class ScanFigures:
    """One scan: files per second (wall clock), CPU milliseconds per file of every process and
    of this one (the coordinator, which reads an image's files for the workers), and the
    SHA-256 of every file found (each once per sighting)."""

    files_per_s: float
    files: int
    cpu_ms_per_file: float
    coordinator_cpu_ms_per_file: float
    sha256s: Counter[str]


def scan_rate(source: Path, workers: int) -> ScanFigures:
    """A whole scan (carving off) into a fresh SQLite store."""
    options = ScanOptions(workers=workers, disk=DiskOptions(carve=False))
    with tempfile.TemporaryDirectory(prefix="interlink-bench-") as scratch:
        store = SqlStore.open(f"sqlite:///{Path(scratch) / 'bench.db'}")
        try:
            started, own = time.perf_counter(), time.process_time()
            with ProcessCpu(interval=0.1) as cpu:
                result = scan_exhibit(store, source, case="bench", options=options)
            elapsed, own = time.perf_counter() - started, time.process_time() - own
            with store.engine.connect() as connection:
                rows = connection.execute(text("select sha256, ref_key from sightings")).all()
        finally:
            store.close()
    # The image file itself is one more item of an image exhibit; count the files it holds.
    image = not source.is_dir()
    found = Counter(
        sha256 for sha256, key in rows if not image or len(SourceRef.from_key(key).layers) > 1
    )
    files = result.summary.files - (1 if image else 0)
    return ScanFigures(files / elapsed, files, cpu.seconds * 1e3 / files, own * 1e3 / files, found)


def carve_volume(path: Path, size: int, photos: Path | None) -> Path:
    """A raw volume of ``size`` bytes: random, or (with ``photos``) JPEGs packed on sectors."""
    if path.exists() and path.stat().st_size == size:
        return path
    with path.open("wb") as out:
        if photos is None:
            while out.tell() < size:
                out.write(os.urandom(min(8 << 20, size - out.tell())))
        else:
            pictures = [item.read_bytes() for item in sorted(photos.glob("*.jpg"))]
            index = 0
            while out.tell() < size:
                data = pictures[index % len(pictures)]
                index += 1
                out.write(data + bytes(-len(data) % 512))
            out.truncate(size)
    return path


def carve_rate(volume: Path) -> tuple[float, int]:
    """MB per CPU second carving ``volume`` whole, and how many files were carved."""
    from dfvfs.lib import definitions
    from dfvfs.path import factory
    from dfvfs.resolver import resolver

    from interlink.sources.carving import Carved, carve
    from interlink.sources.disk_image import SECTOR
    from interlink.sources.disk_streams import vfs_read_at

    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_OS, location=str(volume))
    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_RAW, parent=spec)
    read_at = vfs_read_at(resolver.Resolver.OpenFileObject(spec))
    size = volume.stat().st_size
    started = time.process_time()
    found = sum(
        isinstance(item, Carved)
        for item in carve(read_at, [(0, size)], size, "bench", align=SECTOR)
    )
    return size / 1e6 / (time.process_time() - started), found


#: The sources of a round, in the order of even rounds (odd rounds take them backwards).
SOURCES = ("folder", "e01", "e01_uncompressed", "raw")


def run(
    photos: Path | None, count: int, megapixels: float, workers: int, carve_mb: int, rounds: int
) -> dict[str, Any]:
    folder = build_folder(photos, count, megapixels)
    raw, e01, plain = build_images(folder)
    paths = {"folder": folder, "e01": e01, "e01_uncompressed": plain, "raw": raw}
    load_before = os.getloadavg()[0]
    # Warm the page cache and the code paths, a folder's and an image's: dfVFS's imports and
    # first use (its signature scanner, the back-ends' format definitions) cost the first image
    # scan of a process 0.3-0.9 s of CPU once, which fell on whichever image came first.
    scan_rate(folder, workers)
    scan_rate(raw, workers)
    # Rounds alternate the order (folder first, then last), so a change of load during the
    # run moves the folder and the images alike; each image's share is taken within a round.
    per_round: list[dict[str, ScanFigures]] = []
    for index in range(rounds):
        order = SOURCES if index % 2 == 0 else SOURCES[::-1]
        per_round.append({name: scan_rate(paths[name], workers) for name in order})
    images = SOURCES[1:]
    shares = {
        name: [scans[name].files_per_s / scans["folder"].files_per_s for scans in per_round]
        for name in images
    }
    cpu_shares = {
        name: [scans["folder"].cpu_ms_per_file / scans[name].cpu_ms_per_file for scans in per_round]
        for name in images
    }

    def median(value: Any, name: str, digits: int = 2) -> float:
        return round(float(statistics.median(value(scans[name]) for scans in per_round)), digits)

    result: dict[str, Any] = {
        "source": str(photos) if photos else "generated",
        "files": count,
        "megapixels": megapixels,
        "workers": workers,
        "rounds": rounds,
        **{f"{name}_files_per_s": median(_rate, name) for name in SOURCES},
        # The medians of each round's shares (the image's rate over the folder's that round).
        **{f"{name}_share_of_folder": round(statistics.median(shares[name]), 3) for name in images},
        **{f"{name}_shares": [round(share, 3) for share in shares[name]] for name in images},
        # Less noisy on a busy machine than the rates: the folder's CPU per file over each's.
        **{
            f"{name}_cpu_share_of_folder": round(statistics.median(cpu_shares[name]), 3)
            for name in images
        },
        # Medians of the rounds: every process, the coordinator (this one: the serial stage)
        # and the rest (the fork server and the workers).
        "cpu_ms_per_file": {name: median(_cpu, name) for name in SOURCES},
        "coordinator_cpu_ms_per_file": {name: median(_coordinator, name) for name in SOURCES},
        "worker_cpu_ms_per_file": {name: median(_workers, name) for name in SOURCES},
        "files_found": {name: per_round[0][name].files for name in SOURCES},
        "same_files_as_folder": {
            name: all(scans[name].sha256s == scans["folder"].sha256s for scans in per_round)
            for name in images
        },
    }
    if carve_mb > 0:
        size = carve_mb << 20
        empty = carve_volume(OUT / f"carve-random-{carve_mb}mb.raw", size, None)
        dense = carve_volume(OUT / f"carve-dense-{folder.name}-{carve_mb}mb.raw", size, folder)
        empty_rate, empty_found = carve_rate(empty)
        dense_rate, dense_found = carve_rate(dense)
        result |= {
            "carve_mb": carve_mb,
            "carve_mb_per_s": round(empty_rate, 1),
            "carve_found_in_random": empty_found,
            "carve_dense_mb_per_s": round(dense_rate, 1),
            "carve_dense_found": dense_found,
        }
    return result | {
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def _rate(scan: ScanFigures) -> float:
    return scan.files_per_s


def _cpu(scan: ScanFigures) -> float:
    return scan.cpu_ms_per_file


def _coordinator(scan: ScanFigures) -> float:
    return scan.coordinator_cpu_ms_per_file


def _workers(scan: ScanFigures) -> float:
    return scan.cpu_ms_per_file - scan.coordinator_cpu_ms_per_file


def main(argv: Sequence[str] | None = None) -> int:
    parser = folder_arguments(__doc__)
    parser.add_argument(
        "--carve-mb", type=int, default=256, help="size of the carved volumes (0: no carving)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="scans of every source")
    args = parser.parse_args(argv)
    if shutil.which("mke2fs") is None or shutil.which("ewfacquire") is None:
        parser.error("needs mke2fs and ewfacquire (scripts/system-deps installs them)")
    OUT.mkdir(exist_ok=True)
    result = run(args.photos, args.count, args.megapixels, args.workers, args.carve_mb, args.rounds)
    # The images must give exactly the folder's files: a faster scan that misses one is no win.
    same = all(result["same_files_as_folder"].values())
    if args.json:
        print(json.dumps(result))
        return 0 if same else 1
    print(
        f"{result['files']} JPEGs of {result['megapixels']} MP ({result['source']}),"
        f" {result['workers']} workers, {result['rounds']} rounds (medians):\n"
        f"  folder: {result['folder_files_per_s']:8.1f} files/s"
    )
    for name, label in (
        ("e01", "E01, fast deflate"),
        ("e01_uncompressed", "E01, no compression"),
        ("raw", "raw"),
    ):
        rounds = ", ".join(f"{share:.0%}" for share in result[f"{name}_shares"])
        print(
            f"  {label}: {result[f'{name}_files_per_s']:8.1f} files/s,"
            f" {result[f'{name}_share_of_folder']:.0%} of the folder (rounds: {rounds});"
            f" CPU share {result[f'{name}_cpu_share_of_folder']:.0%}"
        )
    for key in ("cpu_ms_per_file", "coordinator_cpu_ms_per_file", "worker_cpu_ms_per_file"):
        print(f"  {key.replace('_', ' ')}: {result[key]}")
    if "carve_mb" in result:
        print(
            f"  carving {result['carve_mb']} MB, nothing to find:"
            f" {result['carve_mb_per_s']:.0f} MB/s per core; densely packed JPEGs:"
            f" {result['carve_dense_mb_per_s']:.0f} MB/s ({result['carve_dense_found']} carved)"
        )
    print(
        f"  same files (SHA-256) as the folder: {result['same_files_as_folder']}\n"
        f"  load average {result['load_average_before']} -> {result['load_average_after']}"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
