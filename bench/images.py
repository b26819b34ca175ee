"""Disk images against a folder: the same files scanned from a folder, from an E01 and from a raw
image of an ext4 file system holding them, side by side in one run; and the carving rate.

1. ``count`` JPEGs in a folder (generated, or from ``--photos``), cached under ``bench/out``;
2. an ext4 file system built from that folder (``mke2fs -d``) as a raw image, and E01s of it
   (``ewfacquire``): with fast deflate, as EnCase images usually are, and without compression;
3. ``scan_exhibit`` of each into a fresh SQLite store with ``--workers`` workers, carving off
   (carving is measured on its own): files per second, and each image's rate as a share of the
   folder's;
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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.scan import build_folder, folder_arguments
from interlink.adapters.sql.store import SqlStore
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


def scan_rate(source: Path, workers: int) -> tuple[float, int]:
    """Files per second of a whole scan (carving off) into a fresh SQLite store."""
    options = ScanOptions(workers=workers, disk=DiskOptions(carve=False))
    with tempfile.TemporaryDirectory(prefix="interlink-bench-") as scratch:
        store = SqlStore.open(f"sqlite:///{Path(scratch) / 'bench.db'}")
        try:
            started = time.perf_counter()
            result = scan_exhibit(store, source, case="bench", options=options)
            elapsed = time.perf_counter() - started
        finally:
            store.close()
    # The image file itself is one more item of an image exhibit; count the files it holds.
    files = result.summary.files - (0 if source.is_dir() else 1)
    return files / elapsed, files


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
    scan_rate(folder, workers)  # warm the page cache and the code paths
    folder_rate, folder_files = scan_rate(folder, workers)
    e01_rate, e01_files = scan_rate(e01, workers)
    plain_rate, _ = scan_rate(plain, workers)
    raw_rate, raw_files = scan_rate(raw, workers)
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
        "folder_files_per_s": round(folder_rate, 2),
        "e01_files_per_s": round(e01_rate, 2),
        "raw_files_per_s": round(raw_rate, 2),
        "e01_uncompressed_files_per_s": round(plain_rate, 2),
        "e01_share_of_folder": round(e01_rate / folder_rate, 3),
        "raw_share_of_folder": round(raw_rate / folder_rate, 3),
        "e01_uncompressed_share_of_folder": round(plain_rate / folder_rate, 3),
        "files_found": {"folder": folder_files, "e01": e01_files, "raw": raw_files},
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
    if args.json:
        print(json.dumps(result))
        return 0
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
        f"  load average {result['load_average_before']} -> {result['load_average_after']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
