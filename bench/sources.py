"""Benchmark: reading an exhibit through the evidence sources, against plain library reads.

Builds an exhibit in a temporary folder: photos (generated, or copied from ``--photos``) as
loose files, in a zip, a tar.gz, a 7z and a zip nested in a tar. Then hashes every file
(SHA-256) twice: through ``open_exhibit`` (read-only opening, content sniffing, guards, spools,
nesting) and through the anchor, the same libraries used directly with no guards (``open``,
``zipfile``, ``tarfile`` in stream mode, ``py7zr``). Prints the time ratio (ours / anchor); a
second pass streams one large tar.gz member and reports the traced memory peak.

    python -m bench.sources [--photos DIR] [--count N] [--big-mib M] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import py7zr
import py7zr.io
from PIL import Image

from interlink.sources.base import Entry, Limits
from interlink.sources.exhibit import open_exhibit

_CHUNK = 1 << 20


def _generated(count: int) -> dict[str, bytes]:
    photos = {}
    for index in range(count):
        image = Image.radial_gradient("L").resize((640, 480)).convert("RGB")
        image.putpixel((index % 640, 0), (index % 256, 0, 0))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        photos[f"gen{index:04d}.jpg"] = buffer.getvalue()
    return photos


def _from_folder(folder: Path, count: int) -> dict[str, bytes]:
    names = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    return {p.name: p.read_bytes() for p in names[:count]}


def build(root: Path, photos: dict[str, bytes]) -> None:
    """Write the benchmark exhibit into ``root``."""
    (root / "loose").mkdir()
    for name, data in photos.items():
        (root / "loose" / name).write_bytes(data)
    with zipfile.ZipFile(root / "photos.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in photos.items():
            archive.writestr(name, data)
    with tarfile.open(root / "photos.tgz", "w:gz") as archive:
        for name, data in photos.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    with py7zr.SevenZipFile(root / "photos.7z", "w") as archive:
        for name, data in photos.items():
            archive.writestr(data, name)
    with tarfile.open(root / "nested.tar", "w") as archive:
        data = (root / "photos.zip").read_bytes()
        info = tarfile.TarInfo("inner/photos.zip")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))


def _sha(stream: Any) -> str:
    digest = hashlib.sha256()
    while data := stream.read(_CHUNK):
        digest.update(data)
    return digest.hexdigest()


def ours(root: Path, limits: Limits) -> dict[str, str]:
    """SHA-256 of every entry, through ``open_exhibit``."""
    hashes = {}
    for item in open_exhibit(root, "BENCH", limits):
        if isinstance(item, Entry):
            with item.open() as stream:
                hashes[item.ref.display()] = _sha(stream)
    return hashes


def anchor(root: Path) -> dict[str, str]:
    """SHA-256 of every file, the archives' members and the nested zip's members, directly."""
    hashes: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        with open(path, "rb") as stream:
            hashes[str(path)] = _sha(stream)
    for name, data in _zip_members((root / "photos.zip").read_bytes()):
        hashes[f"zip:{name}"] = hashlib.sha256(data).hexdigest()
    with tarfile.open(root / "photos.tgz", "r|gz") as archive:
        for info in archive:
            member = archive.extractfile(info)
            if member is not None:
                hashes[f"tgz:{info.name}"] = _sha(member)
    factory = py7zr.io.HashIOFactory()  # type: ignore[no-untyped-call]
    with py7zr.SevenZipFile(root / "photos.7z") as archive:
        archive.extractall(factory=factory)
    hashes.update({f"7z:{k}": v.hash.hexdigest() for k, v in factory.products.items()})
    with tarfile.open(root / "nested.tar") as archive:
        member = archive.extractfile("inner/photos.zip")
        if member is not None:
            for name, data in _zip_members(member.read()):
                hashes[f"nested:{name}"] = hashlib.sha256(data).hexdigest()
    return hashes


def _zip_members(data: bytes) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            yield info.filename, archive.read(info)


def big_member_peak(root: Path, mib: int) -> tuple[int, float]:
    """Traced memory peak (bytes) and seconds to hash one ``mib`` MiB tar.gz member."""
    folder = root / "big"
    folder.mkdir()
    with tarfile.open(folder / "big.tgz", "w:gz", compresslevel=1) as archive:
        info = tarfile.TarInfo("big.bin")
        info.size = mib << 20
        archive.addfile(info, _Pattern(mib << 20))
    limits = Limits(max_ratio=1e9)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        ours(folder, limits)
        return tracemalloc.get_traced_memory()[1], time.perf_counter() - start
    finally:
        tracemalloc.stop()


class _Pattern(io.RawIOBase):
    """``size`` bytes of a repeating benign pattern, generated as read."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._block = bytes(range(256)) * 4096

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self._left, len(self._block))
        buffer[:count] = self._block[:count]
        self._left -= count
        return count


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a report, or JSON only with ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, help="folder of benign photos (default: generated)")
    parser.add_argument("--count", type=int, default=300, help="photos per container")
    parser.add_argument("--big-mib", type=int, default=512, help="size of the large member")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument("--json", action="store_true", help="print machine-readable output only")
    args = parser.parse_args(argv)
    photos = _from_folder(args.photos, args.count) if args.photos else _generated(args.count)
    root = Path(tempfile.mkdtemp(prefix="interlink-bench-sources-"))
    try:
        exhibit = root / "exhibit"
        exhibit.mkdir()
        build(exhibit, photos)
        size = sum(p.stat().st_size for p in exhibit.rglob("*") if p.is_file())
        ours_s, anchor_s = [], []
        entries = members = 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            hashes = ours(exhibit, Limits())
            ours_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            plain = anchor(exhibit)
            anchor_s.append(time.perf_counter() - start)
            entries, members = len(hashes), len(plain)
        peak, big_s = big_member_peak(root, args.big_mib)
    finally:
        shutil.rmtree(root)
    result = {
        "photos": len(photos),
        "source": str(args.photos) if args.photos else "generated",
        "exhibit_bytes": size,
        "entries": entries,
        "anchor_items": members,
        "ours_s": round(min(ours_s), 4),
        "anchor_s": round(min(anchor_s), 4),
        "ratio": round(min(ours_s) / min(anchor_s), 3),
        "big_member_mib": args.big_mib,
        "big_member_s": round(big_s, 3),
        "big_member_peak_mib": round(peak / (1 << 20), 2),
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['entries']} entries ({result['photos']} photos x 5 containers, "
            f"{size / 1e6:.1f} MB on disk): ours {result['ours_s']} s, anchor "
            f"{result['anchor_s']} s, ratio {result['ratio']} "
            f"(ours / anchor, best of {args.repeat})"
        )
        print(
            f"one {args.big_mib} MiB tar.gz member: {result['big_member_s']} s, traced memory "
            f"peak {result['big_member_peak_mib']} MiB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
