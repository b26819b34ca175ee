"""pyewf as ``scripts/setup`` builds it (zlib's ``uncompress`` served by libdeflate,
``scripts/libewf-inflate.c``) reads a deflate E01 exactly as the raw image it was made from,
and a corrupt chunk as zlib would: the faster inflate agrees with zlib's."""

from __future__ import annotations

import ctypes
import hashlib
import importlib.util
import zlib
from pathlib import Path

import pytest

from tests.sources.disk_builders import DiskImages

pyewf = pytest.importorskip("pyewf")


def _media(path: Path) -> bytes:
    handle = pyewf.handle()
    handle.open(pyewf.glob(str(path)))
    try:
        return bytes(handle.read(handle.get_media_size()))
    finally:
        handle.close()


def _inflate_library() -> str:
    origin = importlib.util.find_spec("pyewf").origin  # type: ignore[union-attr]
    extension = ctypes.CDLL(origin)
    if hasattr(extension, "libdeflate_zlib_decompress"):
        return "libdeflate"
    return "zlib" if hasattr(extension, "uncompress") else "libewf"


def test_setup_links_pyewf_with_a_fast_inflate() -> None:
    # scripts/setup builds pyewf against libdeflate (scripts/system-packages.txt installs it);
    # libewf's own inflate is the 28 MB/s one the build replaces.
    assert _inflate_library() in {"libdeflate", "zlib"}


def test_a_deflate_e01_reads_back_as_its_raw_image(disk_images: DiskImages) -> None:
    raw = disk_images.raw.read_bytes()
    media = _media(disk_images.e01_deflate)
    assert len(media) == len(raw)
    assert hashlib.sha256(media).hexdigest() == hashlib.sha256(raw).hexdigest()


def test_a_corrupt_chunk_is_not_read_as_good_data(disk_images: DiskImages, tmp_path: Path) -> None:
    raw = disk_images.raw.read_bytes()
    image = bytearray(disk_images.e01_deflate.read_bytes())
    start, size = _a_chunk(bytes(image))
    intact = bytes(image[start : start + size])
    middle = start + size // 2
    image[middle : middle + 16] = bytes(b ^ 0x5A for b in image[middle : middle + 16])
    copy = tmp_path / "corrupt.E01"
    copy.write_bytes(bytes(image))
    media = _media(copy)
    assert len(media) == len(raw)  # the read goes on past the bad chunk
    differs = [i for i in range(0, len(raw), 32768) if media[i : i + 32768] != raw[i : i + 32768]]
    assert differs, "a corrupt chunk read as the original bytes"
    # zlib inflates the chunk as written and rejects it corrupted, as the shim must have.
    assert len(zlib.decompress(intact)) == 32768
    with pytest.raises(zlib.error):
        zlib.decompress(bytes(image[start : start + size]))


def _a_chunk(image: bytes) -> tuple[int, int]:
    """Where a compressed chunk starts and its compressed size: a zlib stream (the fast
    level's header) of at least 1 KB that inflates to a whole 32 KB chunk, past the image's
    first third (clear of the header sections)."""
    position = len(image) // 3
    while True:
        position = image.index(b"\x78\x01", position + 1)
        stream = zlib.decompressobj()
        try:
            inflated = stream.decompress(image[position : position + 65536])
        except zlib.error:
            continue
        size = 65536 - len(stream.unused_data)
        if stream.eof and len(inflated) == 32768 and size >= 1024:
            return position, size
