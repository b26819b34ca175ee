"""Where a carved file ends: the structure of each carved format, walked from its header.

Each ``*_end(data, start)`` reads the structure that begins at ``data[start:]`` (a JPEG's
segments, a PNG's chunks, a GIF's blocks, a RIFF or BMP size field, an ISO BMFF box list) and
returns the offset just past its end, or ``None`` when the structure is broken or does not end
inside ``data``. They never decode pixels: ``carving.validate`` does that.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

#: A format's end finder: ``(data, start) -> end or None``.
EndFinder = Callable[[bytes, int], int | None]

_BMP_HEADERS = frozenset({12, 40, 52, 56, 64, 108, 124})
_BOXES = frozenset(
    b"ftyp moov mdat free skip wide uuid meta pdin moof mfra udta styp sidx pnot".split()
)
_MARKERS_WITHOUT_LENGTH = frozenset({0x01, *range(0xD0, 0xD8)})


def jpeg_end(data: bytes, start: int) -> int | None:
    """Walk the marker segments to the first scan, then find the EOI after the scans."""
    position = start + 2
    size = len(data)
    while position + 4 <= size:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker in _MARKERS_WITHOUT_LENGTH:
            position += 2
            continue
        if marker == 0xD9:
            return position + 2
        (length,) = struct.unpack_from(">H", data, position + 2)
        if length < 2:
            return None
        position += 2 + length
        if marker == 0xDA:
            return _after_scans(data, position)
    return None


def _after_scans(data: bytes, position: int) -> int | None:
    """Past the entropy-coded data (several scans for a progressive JPEG) to the EOI."""
    while True:
        found = data.find(b"\xff", position)
        while found != -1 and found + 1 < len(data):
            following = data[found + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                found = data.find(b"\xff", found + 1)
                continue
            break
        if found == -1 or found + 1 >= len(data):
            return None
        marker = data[found + 1]
        if marker == 0xD9:
            return found + 2
        if found + 4 > len(data):
            return None
        (length,) = struct.unpack_from(">H", data, found + 2)
        position = found + 2 + length


def png_end(data: bytes, start: int) -> int | None:
    """Walk the chunks (length, type, data, CRC) to ``IEND``."""
    position = start + 8
    while position + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, position)
        if length > 1 << 31 or not kind.isalpha():
            return None
        position += 12 + length
        if kind == b"IEND":
            return position if position <= len(data) else None
    return None


def gif_end(data: bytes, start: int) -> int | None:
    """Walk the header, colour tables, extensions and image blocks to the trailer."""
    if start + 13 > len(data):
        return None
    flags = data[start + 10]
    position = start + 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while position < len(data):
        block = data[position]
        if block == 0x3B:
            return position + 1
        if block == 0x21:
            position = _sub_blocks(data, position + 2)
        elif block == 0x2C:
            if position + 10 > len(data):
                return None
            local = data[position + 9]
            position += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0)
            position = _sub_blocks(data, position + 1)  # skip the LZW minimum code size
        else:
            return None
        if position < 0:
            return None
    return None


def _sub_blocks(data: bytes, position: int) -> int:
    while position < len(data):
        length = data[position]
        position += 1 + length
        if length == 0:
            return position
    return -1


def riff_end(data: bytes, start: int) -> int | None:
    """A RIFF file (WebP, AVI) is 8 bytes plus its declared size (padded to even)."""
    if start + 12 > len(data):
        return None
    (size,) = struct.unpack_from("<I", data, start + 4)
    end = start + 8 + size + (size & 1)
    return end if size >= 4 and end <= len(data) else None


def bmp_end(data: bytes, start: int) -> int | None:
    """A BMP declares its file size; the header fields must agree with each other."""
    if start + 30 > len(data):
        return None
    size, reserved, offset, header = struct.unpack_from("<IIII", data, start + 2)
    width, height, planes = struct.unpack_from("<iiH", data, start + 18)
    plausible = (
        reserved == 0
        and header in _BMP_HEADERS
        and 14 + header <= offset < size
        and planes == 1
        and 0 < width <= 1 << 16
        and 0 < abs(height) <= 1 << 16
    )
    end = start + size
    return end if plausible and end <= len(data) else None


def bmff_end(data: bytes, start: int) -> int | None:
    """Walk the top-level boxes from ``ftyp`` while they are known boxes; the file must hold
    both ``moov`` and ``mdat``."""
    position = start
    seen: set[bytes] = set()
    while position + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, position)
        if kind not in _BOXES:
            break
        if size == 1:
            if position + 16 > len(data):
                return None
            (size,) = struct.unpack_from(">Q", data, position + 8)
        if size < 8:
            return None
        seen.add(kind)
        position += size
    if position > len(data) or not {b"moov", b"mdat"} <= seen:
        return None
    return position


def _jpeg_head(data: bytes, at: int) -> bool:
    return 0xC0 <= data[at + 3] <= 0xFE if at + 4 <= len(data) else True


def _png_head(data: bytes, at: int) -> bool:
    return data[at + 12 : at + 16] in (b"IHDR", b"") or at + 16 > len(data)


def _gif_head(data: bytes, at: int) -> bool:
    return True


def _riff_head(data: bytes, at: int) -> bool:
    return data[at + 8 : at + 12] in (b"WEBP", b"AVI ") or at + 12 > len(data)


def _bmp_head(data: bytes, at: int) -> bool:
    if at + 30 > len(data):
        return True
    reserved, _, header = struct.unpack_from("<III", data, at + 6)
    (planes,) = struct.unpack_from("<H", data, at + 26)
    return reserved == 0 and header in _BMP_HEADERS and planes == 1


def _bmff_head(data: bytes, at: int) -> bool:
    if at + 12 > len(data):
        return True
    (size,) = struct.unpack_from(">I", data, at)
    return 8 <= size <= 4096 and data[at + 8 : at + 12].isalnum()


#: Every carved format: (MIME type, signature, offset of the signature in the file, file
#: suffix for the record, end finder, and a cheap check of the header at a signature hit, so
#: that chance hits in random data cost no more than a few byte comparisons).
FORMATS: tuple[tuple[str, bytes, int, str, EndFinder, Callable[[bytes, int], bool]], ...] = (
    ("image/jpeg", b"\xff\xd8\xff", 0, "jpg", jpeg_end, _jpeg_head),
    ("image/png", b"\x89PNG\r\n\x1a\n", 0, "png", png_end, _png_head),
    ("image/gif", b"GIF89a", 0, "gif", gif_end, _gif_head),
    ("image/gif", b"GIF87a", 0, "gif", gif_end, _gif_head),
    ("riff", b"RIFF", 0, "riff", riff_end, _riff_head),
    ("image/bmp", b"BM", 0, "bmp", bmp_end, _bmp_head),
    ("video/mp4", b"ftyp", 4, "mp4", bmff_end, _bmff_head),
)


def riff_kind(data: bytes, start: int) -> tuple[str, str] | None:
    """The MIME type and suffix of the RIFF form at ``start`` (WebP, AVI), if carved."""
    form = data[start + 8 : start + 12]
    if form == b"WEBP":
        return "image/webp", "webp"
    if form == b"AVI ":
        return "video/x-msvideo", "avi"
    return None
