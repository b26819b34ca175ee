"""Benign test fixtures for the sources tests: archives, images and hostile variants, in memory.

Everything here is generated: small gradient images, text, zeros. The hostile variants (bombs,
traversal names, encryption flags, truncation) are built by patching bytes of benign archives.
"""

from __future__ import annotations

import binascii
import io
import struct
import tarfile
import zipfile
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import py7zr
from PIL import Image

from interlink.domain.problems import Problem
from interlink.sources.base import Entry, Limits
from interlink.sources.exhibit import DEFAULT_LIMITS, open_exhibit


def jpeg(seed: int = 0, size: int = 32) -> bytes:
    """A small benign gradient JPEG, different for each ``seed``."""
    image = Image.new("RGB", (size, size))
    image.putdata(
        [
            ((x * 8 + seed) % 256, (y * 8) % 256, seed % 256)
            for y in range(size)
            for x in range(size)
        ]
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


#: The members every container test stores: an image, text, binary data in a subfolder.
MEMBERS: dict[str, bytes] = {
    "photos/one.jpg": jpeg(1),
    "notes/readme.txt": b"benign notes\n" * 40,
    "deep/er/data.bin": bytes(range(256)) * 16,
}


def zip_bytes(members: Mapping[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip archive holding ``members`` (names written exactly as given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 5, 1, 12, 0, 0)), data, compression)
    return buffer.getvalue()


def tar_bytes(
    members: Mapping[str, bytes] | Mapping[str | bytes, bytes],
    compression: str = "",
    *,
    mtime: int = 1_700_000_000,
) -> bytes:
    """A tar archive (``compression`` one of "", "gz", "bz2", "xz") holding ``members``.

    Byte names are written as they are (GNU format), so they may be any bytes.
    """
    buffer = io.BytesIO()
    mode = f"w:{compression}" if compression else "w"
    with tarfile.open(
        fileobj=buffer,
        mode=mode,
        format=tarfile.GNU_FORMAT,
        encoding="utf-8",  # type: ignore[call-overload]
    ) as archive:
        for name, data in members.items():
            text = name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else name
            info = tarfile.TarInfo(text)
            info.size = len(data)
            info.mtime = mtime
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sevenzip_bytes(
    members: Mapping[str, bytes], *, password: str | None = None, header_encryption: bool = False
) -> bytes:
    """A 7z archive holding ``members``, encrypted when ``password`` is given."""
    buffer = io.BytesIO()
    archive = py7zr.SevenZipFile(
        buffer, "w", password=password, header_encryption=header_encryption
    )
    if password is None:
        archive.set_encoded_header_mode(False)
    with archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return buffer.getvalue()


def rename_in_7z(data: bytes, old: str, new: str) -> bytes:
    """``data`` (a 7z with a plain header) with member ``old`` renamed to ``new`` (same length).

    py7zr refuses to write hostile names, so tests write a placeholder and patch it here,
    fixing the header checksums.
    """
    old_raw, new_raw = old.encode("utf-16-le"), new.encode("utf-16-le")
    if len(old_raw) != len(new_raw) or old_raw not in data:
        raise ValueError("names must be of equal length and present")
    offset, size = struct.unpack_from("<QQ", data, 12)
    start = 32 + offset
    header = data[start : start + size].replace(old_raw, new_raw)
    start_header = struct.pack("<QQI", offset, size, binascii.crc32(header))
    prefix = data[:8] + struct.pack("<I", binascii.crc32(start_header)) + start_header
    return prefix + data[32:start] + header + data[start + size :]


def set_zip_flag(data: bytes, flag: int) -> bytes:
    """``data`` (a zip) with general-purpose ``flag`` set on every member, both headers."""
    patched = bytearray(data)
    for signature, position in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (found := patched.find(signature, start)) >= 0:
            (bits,) = struct.unpack_from("<H", patched, found + position)
            struct.pack_into("<H", patched, found + position, bits | flag)
            start = found + 4
    return bytes(patched)


def set_zip_sizes(data: bytes, file_size: int) -> bytes:
    """``data`` (a one-member zip) with its declared uncompressed size replaced (a lying header)."""
    patched = bytearray(data)
    for signature, position in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        found = patched.find(signature)
        struct.pack_into("<I", patched, found + position, file_size)
    return bytes(patched)


def overlapping_zip(copies: int) -> bytes:
    """A zip whose ``copies`` central-directory entries all point at one member's data.

    The classic overlapping-entry zip bomb: a small file that lists the same compressed data
    many times under different names.
    """
    single = zip_bytes({"a.txt": b"\x00" * 4096})
    directory = single.index(b"PK\x01\x02")
    end = single.index(b"PK\x05\x06")
    entry = single[directory:end]
    entries = b"".join(
        entry.replace(b"a.txt", f"{index % 10}.txt".encode()) for index in range(copies)
    )
    trailer = bytearray(single[end:])
    struct.pack_into("<HHII", trailer, 8, copies, copies, len(entries), directory)
    return single[:directory] + entries + bytes(trailer)


@dataclass
class Collected:
    """What a source yielded: each entry's content (read at once), and the problems."""

    contents: dict[str, bytes]
    sizes: dict[str, int]
    kinds: dict[str, list[str]]
    problems: list[Problem]

    def problem_kinds(self) -> list[tuple[str, str]]:
        """``(display, kind)`` for every problem, in order."""
        return [(problem.ref.display(), problem.kind.value) for problem in self.problems]


def collect(items: Iterable[Entry | Problem]) -> Collected:
    """Read every entry's content as it is yielded (as the scanner does) and keep the problems."""
    found = Collected({}, {}, {}, [])
    for item in items:
        if isinstance(item, Problem):
            found.problems.append(item)
            continue
        key = item.ref.display()
        if key in found.contents:
            raise AssertionError(f"duplicate reference {key}")
        with item.open() as stream:
            found.contents[key] = stream.read()
        found.sizes[key] = item.size
        found.kinds[key] = [layer.kind for layer in item.ref.layers]
    return found


def chunks(stream: BinaryIO, size: int = 1 << 20) -> Iterator[bytes]:
    """Read ``stream`` in chunks of ``size``."""
    while data := stream.read(size):
        yield data


def exhibit_of(
    path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS
) -> Generator[Entry | Problem, None, None]:
    """Write ``data`` to ``path`` and open it as the single-file exhibit ``E1``."""
    path.write_bytes(data)
    return open_exhibit(path, "E1", limits)
