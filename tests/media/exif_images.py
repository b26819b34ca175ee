"""Benign generated images carrying EXIF, XMP and text that the tests write themselves."""

from __future__ import annotations

import io
import struct
from typing import Any

import numpy as np
from PIL import ExifTags, Image, PngImagePlugin


def picture(width: int = 400, height: int = 300, seed: int = 1) -> Image.Image:
    """A smooth random colour field with a bright bar: benign, and with enough detail for a
    high PDQ quality."""
    rng = np.random.default_rng(seed)
    small = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8))
    rgb = np.asarray(small.resize((width, height), Image.Resampling.BICUBIC)).copy()
    rgb[height // 3 : height // 2, width // 5 : width // 2] = (250, 250, 240)
    return Image.fromarray(rgb)


def jpeg_bytes(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def exif_block(
    ifd0: dict[int, Any] | None = None,
    exif: dict[int, Any] | None = None,
    gps: dict[int, Any] | None = None,
    thumbnail: bytes | None = None,
) -> bytes:
    """An ``Exif\\0\\0`` block written by Pillow, with an IFD1 JPEG thumbnail appended (Pillow
    does not write IFD1, so it is linked in here by hand)."""
    block = Image.Exif()
    for tag, value in (ifd0 or {}).items():
        block[tag] = value
    if exif:
        block.get_ifd(ExifTags.IFD.Exif).update(exif)
    if gps:
        block.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    data = block.tobytes()
    if thumbnail is None:
        return data
    tiff = bytearray(data[6:])
    endian = ">" if tiff[:2] == b"MM" else "<"
    (first,) = struct.unpack_from(endian + "L", tiff, 4)
    (count,) = struct.unpack_from(endian + "H", tiff, first)
    struct.pack_into(endian + "L", tiff, first + 2 + 12 * count, len(tiff))
    ifd1_size = 2 + 2 * 12 + 4
    start = len(tiff) + ifd1_size
    tiff += struct.pack(endian + "H", 2)
    tiff += struct.pack(endian + "HHLL", 0x0201, 4, 1, start)
    tiff += struct.pack(endian + "HHLL", 0x0202, 4, 1, len(thumbnail))
    tiff += struct.pack(endian + "L", 0) + thumbnail
    return b"Exif\x00\x00" + bytes(tiff)


def with_exif(image: Image.Image, block: bytes, xmp: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    if xmp is None:
        image.save(buffer, "JPEG", quality=90, exif=block)
    else:
        image.save(buffer, "JPEG", quality=90, exif=block, xmp=xmp)
    return buffer.getvalue()


def png_with_text(image: Image.Image, texts: dict[str, str]) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in texts.items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def canon_note(serial: int) -> bytes:
    """A Canon maker note (a bare big-endian IFD) holding only ``SerialNumber``."""
    return struct.pack(">H", 1) + struct.pack(">HHLL", 0x000C, 4, 1, serial) + b"\x00" * 4


def nikon_note(serial: str) -> bytes:
    """A Nikon type 3 maker note (its own TIFF header) holding only ``SerialNumber``."""
    text = serial.encode() + b"\x00"
    ifd = struct.pack("<H", 1) + struct.pack("<HHLL", 0x001D, 2, len(text), 8 + 2 + 12 + 4)
    tiff = b"II*\x00" + struct.pack("<L", 8) + ifd + b"\x00" * 4 + text
    return b"Nikon\x00\x02\x10\x00\x00" + tiff
