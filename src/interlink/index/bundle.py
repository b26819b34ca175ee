"""A file of named NumPy arrays that opens memory-mapped in constant time and is written atomically.

Layout: ``MAGIC``, the header length (8 bytes, little-endian), a JSON header (the arrays' names,
dtypes, shapes and offsets, plus free-form ``meta``), its CRC-32 (4 bytes), then each array's
bytes at a page-aligned offset. Opening reads only the header and maps the rest, so a 10^7-row
index opens in milliseconds; pages are read from disk as queries touch them.

Writes go to a temporary file in the same directory, are flushed to disk, then renamed over the
target, and the directory entry is flushed too: after a crash the target is either the old file
or the new one, never a mixture.
"""

from __future__ import annotations

import json
import mmap
import os
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from interlink.domain.errors import IndexCorruptError

MAGIC = b"ILBUNDL1"
_ALIGN = 4096


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def fsync_directory(directory: Path) -> None:
    """Flush a directory's entries (renames, new files) to disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` only once the block finishes, flushed to disk with
    its directory entry; if the block fails, ``path`` is untouched and nothing is left over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def write_bundle(
    path: Path, arrays: Mapping[str, npt.NDArray[Any]], meta: Mapping[str, Any]
) -> int:
    """Write ``arrays`` and ``meta`` to ``path`` atomically; return the file's size."""
    entries: list[dict[str, Any]] = []
    contiguous = {name: np.ascontiguousarray(array) for name, array in arrays.items()}
    for name, array in contiguous.items():
        entries.append(
            {"name": name, "dtype": array.dtype.str, "shape": list(array.shape), "offset": 0}
        )
    # The header's own length moves the data; settle offsets with a generous fixed reserve.
    draft = json.dumps({"meta": dict(meta), "arrays": entries}).encode()
    offset = _aligned(len(MAGIC) + 8 + len(draft) + 4 + 64 * (len(entries) + 1))
    for entry, array in zip(entries, contiguous.values(), strict=True):
        entry["offset"] = offset
        offset = _aligned(offset + array.nbytes)
    header = json.dumps({"meta": dict(meta), "arrays": entries}).encode()
    if entries and len(MAGIC) + 8 + len(header) + 4 > int(entries[0]["offset"]):
        raise ValueError("bundle header outgrew its reserve")
    with atomic_file(path) as handle:
        handle.write(MAGIC)
        handle.write(len(header).to_bytes(8, "little"))
        handle.write(header)
        handle.write(zlib.crc32(header).to_bytes(4, "little"))
        for entry, array in zip(entries, contiguous.values(), strict=True):
            handle.seek(int(entry["offset"]))
            handle.write(array.reshape(-1).view(np.uint8).data)
        handle.truncate(max(offset, handle.tell()))
    return offset


def open_bundle(
    path: Path, *, memory_map: bool = True
) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]:
    """The arrays (read-only) and meta of a bundle; ``IndexCorruptError`` if it is damaged.

    With ``memory_map`` the arrays are views of the mapped file (opening is constant time);
    otherwise they are read into memory.
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if handle.read(len(MAGIC)) != MAGIC:
                raise IndexCorruptError(str(path), "not an index bundle of this version")
            length = int.from_bytes(handle.read(8), "little")
            if length > size:
                raise IndexCorruptError(str(path), "truncated header")
            header = handle.read(length)
            crc = int.from_bytes(handle.read(4), "little")
            if len(header) != length or zlib.crc32(header) != crc:
                raise IndexCorruptError(str(path), "header checksum mismatch")
            parsed = json.loads(header)
            buffer: mmap.mmap | None = None
            if memory_map and size > 0:
                buffer = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_READ)
            arrays: dict[str, npt.NDArray[Any]] = {}
            for entry in parsed["arrays"]:
                dtype = np.dtype(entry["dtype"])
                shape = tuple(int(s) for s in entry["shape"])
                count = int(np.prod(shape, dtype=np.int64))
                start = int(entry["offset"])
                if start + count * dtype.itemsize > size:
                    raise IndexCorruptError(str(path), f"array {entry['name']!r} is truncated")
                if buffer is not None:
                    array = np.frombuffer(buffer, dtype, count, start)
                else:
                    handle.seek(start)
                    array = np.fromfile(handle, dtype, count)
                    array.flags.writeable = False
                arrays[str(entry["name"])] = array.reshape(shape)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(str(path), str(exc)) from exc
    return arrays, dict(parsed["meta"])
