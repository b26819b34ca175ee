"""Disk images against a folder: the same files scanned from a folder, from an E01 and from a raw
image of an ext4 file system holding them, side by side in one run; and the carving rate.

1. ``count`` JPEGs in a folder (generated, or from ``--photos``), cached under ``bench/out``;
2. an ext4 file system built from that folder (``mke2fs -d``) as a raw image, and E01s of it
   (``ewfacquire``): with fast deflate, as EnCase images usually are, and without compression;
3. ``scan_exhibit`` of each into a fresh SQLite store with ``--workers`` workers, carving off
   (carving is measured on its own): files per second, and each image's rate as a share of the
   folder's; CPU milliseconds per file (all processes, and the coordinator alone), the folder's
   over each image's as a share that a busy machine disturbs less; and whether each image gave
   exactly the folder's files (SHA-256 of every sighting; the exit status is 1 if not);
4. carving over a volume of unallocated space read through dfVFS (``carve`` with the sector
   alignment disk images use), in MB per CPU second of this process: random bytes (nothing to
   find) and the same volume densely packed with the JPEGs.

    PYTHONPATH=src python -m bench.images [--photos DIR] [--count N] [--carve-mb MB] [--json]
"""

from __future__ import annotations

import json
import os
import shutil
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
            with ProcessCpu() as cpu:
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


def run(
    photos: Path | None, count: int, megapixels: float, workers: int, carve_mb: int
) -> dict[str, Any]:
    folder = build_folder(photos, count, megapixels)
    raw, e01, plain = build_images(folder)
    load_before = os.getloadavg()[0]
    # Warm the page cache and the code paths, a folder's and an image's: dfVFS's imports and
    # first use (its signature scanner, the back-ends' format definitions) cost the first image
    # scan of a process 0.3-0.9 s of CPU once, which fell on whichever image came first.
    scan_rate(folder, workers)
    scan_rate(raw, workers)
    scans = {
        "folder": scan_rate(folder, workers),
        "e01": scan_rate(e01, workers),
        "e01_uncompressed": scan_rate(plain, workers),
        "raw": scan_rate(raw, workers),
    }
    base = scans["folder"]
    size = carve_mb << 20
    empty = carve_volume(OUT / f"carve-random-{carve_mb}mb.raw", size, None)
    dense = carve_volume(OUT / f"carve-dense-{folder.name}-{carve_mb}mb.raw", size, folder)
    empty_rate, empty_found = carve_rate(empty)
    dense_rate, dense_found = carve_rate(dense)
    return {
        "source": str(photos) if photos else "generated",
        "files": count,
        "megapixels": megapixels,
        "workers": workers,
        **{f"{name}_files_per_s": round(scan.files_per_s, 2) for name, scan in scans.items()},
        **{
            f"{name}_share_of_folder": round(scan.files_per_s / base.files_per_s, 3)
            for name, scan in scans.items()
            if name != "folder"
        },
        # Less noisy on a busy machine than the rates: the folder's CPU per file over each's.
        **{
            f"{name}_cpu_share_of_folder": round(base.cpu_ms_per_file / scan.cpu_ms_per_file, 3)
            for name, scan in scans.items()
            if name != "folder"
        },
        "cpu_ms_per_file": {name: round(scan.cpu_ms_per_file, 2) for name, scan in scans.items()},
        "coordinator_cpu_ms_per_file": {
            name: round(scan.coordinator_cpu_ms_per_file, 2) for name, scan in scans.items()
        },
        "files_found": {name: scan.files for name, scan in scans.items()},
        "same_files_as_folder": {
            name: scan.sha256s == base.sha256s for name, scan in scans.items() if name != "folder"
        },
        "carve_mb": carve_mb,
        "carve_mb_per_s": round(empty_rate, 1),
        "carve_found_in_random": empty_found,
        "carve_dense_mb_per_s": round(dense_rate, 1),
        "carve_dense_found": dense_found,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = folder_arguments(__doc__)
    parser.add_argument("--carve-mb", type=int, default=256, help="size of the carved volumes")
    args = parser.parse_args(argv)
    if shutil.which("mke2fs") is None or shutil.which("ewfacquire") is None:
        parser.error("needs mke2fs and ewfacquire (scripts/system-deps installs them)")
    OUT.mkdir(exist_ok=True)
    result = run(args.photos, args.count, args.megapixels, args.workers, args.carve_mb)
    # The images must give exactly the folder's files: a faster scan that misses one is no win.
    same = all(result["same_files_as_folder"].values())
    if args.json:
        print(json.dumps(result))
        return 0 if same else 1
    print(
        f"{result['files']} JPEGs of {result['megapixels']} MP ({result['source']}),"
        f" {result['workers']} workers:\n"
        f"  folder: {result['folder_files_per_s']:8.1f} files/s\n"
        f"  E01:    {result['e01_files_per_s']:8.1f} files/s"
        f" ({result['e01_share_of_folder']:.0%} of the folder; fast deflate)\n"
        f"  E01:    {result['e01_uncompressed_files_per_s']:8.1f} files/s"
        f" ({result['e01_uncompressed_share_of_folder']:.0%} of the folder; no compression)\n"
        f"  raw:    {result['raw_files_per_s']:8.1f} files/s"
        f" ({result['raw_share_of_folder']:.0%} of the folder)\n"
        f"  carving {result['carve_mb']} MB, nothing to find: {result['carve_mb_per_s']:.0f} MB/s"
        f" per core; densely packed JPEGs: {result['carve_dense_mb_per_s']:.0f} MB/s"
        f" ({result['carve_dense_found']} carved)\n"
        f"  CPU per file (share of the folder's): {result['cpu_ms_per_file']}"
        f" -> E01 {result['e01_cpu_share_of_folder']:.0%},"
        f" uncompressed {result['e01_uncompressed_cpu_share_of_folder']:.0%},"
        f" raw {result['raw_cpu_share_of_folder']:.0%}\n"
        f"  same files (SHA-256) as the folder: {result['same_files_as_folder']}\n"
        f"  load average {result['load_average_before']} -> {result['load_average_after']}"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
