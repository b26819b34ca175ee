"""Camera serial numbers from EXIF maker notes (vendor-private IFDs).

Supported: Canon (``SerialNumber`` 0x000c, ``InternalSerialNumber`` 0x0096, ``LensModel``
0x0095), Nikon type 3 (``SerialNumber`` 0x001d), Fujifilm (``InternalSerialNumber`` 0x0010)
and Panasonic (``InternalSerialNumber`` 0x0025). Canon and Panasonic store longer values at
offsets from the EXIF TIFF header, so those are read only when the raw EXIF block is at hand;
Canon's numeric serial is always read. Other makers' notes are ignored.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

#: (TIFF type -> bytes per value) for the types maker notes use.
_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8}


@dataclass(frozen=True, slots=True)
class _Entry:
    type: int
    count: int
    data: bytes


def _ifd(buf: bytes, offset: int, endian: str, base: int | None) -> dict[int, _Entry]:
    """Entries of the IFD at ``offset``; values over 4 bytes are read at ``base`` + their
    offset (skipped when ``base`` is None). Stops quietly at the end of the buffer."""
    entries: dict[int, _Entry] = {}
    if offset + 2 > len(buf):
        return entries
    (count,) = struct.unpack_from(endian + "H", buf, offset)
    for n in range(min(count, 512)):
        at = offset + 2 + 12 * n
        if at + 12 > len(buf):
            break
        tag, typ, number, raw = struct.unpack_from(endian + "HHL4s", buf, at)
        size = _SIZES.get(typ, 0) * number
        if size <= 4:
            entries[tag] = _Entry(typ, number, raw[:size])
        elif base is not None:
            (pointer,) = struct.unpack(endian + "L", raw)
            data = buf[base + pointer : base + pointer + size]
            if len(data) == size:
                entries[tag] = _Entry(typ, number, data)
    return entries


def _text(entry: _Entry | None) -> str | None:
    if entry is None or entry.type not in (2, 7):
        return None
    text = entry.data.split(b"\x00", 1)[0].decode("latin-1").strip()
    return text or None


def _long(entry: _Entry | None, endian: str) -> int | None:
    if entry is None or entry.type != 4 or entry.count != 1:
        return None
    return int(struct.unpack(endian + "L", entry.data)[0])


def makernote_serials(
    make: str, note: bytes, tiff: bytes | None = None, fuji: dict[int, object] | None = None
) -> list[tuple[str, str]]:
    """``(label, value)`` serial-number clues from the maker note ``note`` of a camera of make
    ``make``. ``tiff`` is the raw EXIF TIFF block the note came from (for values stored at
    TIFF offsets); ``fuji`` is Pillow's parsed Fujifilm note."""
    maker = make.strip().lower()
    endian = ">" if tiff is None or tiff[:2] == b"MM" else "<"
    base = 0 if tiff is not None else None
    at = tiff.find(note) if tiff is not None and note else -1
    found: list[tuple[str, str]] = []
    if maker.startswith("canon"):
        buf, offset = (tiff, at) if tiff is not None and at >= 0 else (note, 0)
        entries = _ifd(buf, offset, endian, base if buf is tiff else None)
        serial = _long(entries.get(0x000C), endian)
        if serial:
            found.append(("Canon SerialNumber", str(serial)))
        for tag, label in ((0x0096, "Canon InternalSerialNumber"), (0x0095, "Canon LensModel")):
            value = _text(entries.get(tag))
            if value:
                found.append((label, value))
    elif maker.startswith("nikon") and note.startswith(b"Nikon\x00\x02"):
        inner = note[10:]
        if inner[:2] in (b"II", b"MM"):
            inner_endian = "<" if inner[:2] == b"II" else ">"
            (first,) = struct.unpack_from(inner_endian + "L", inner, 4)
            value = _text(_ifd(inner, first, inner_endian, 0).get(0x001D))
            if value:
                found.append(("Nikon SerialNumber", value))
    elif maker.startswith("fujifilm") and fuji:
        internal = fuji.get(0x0010)
        if isinstance(internal, str) and internal.strip():
            found.append(("Fujifilm InternalSerialNumber", internal.strip()))
    elif maker.startswith("panasonic") and note.startswith(b"Panasonic\x00") and tiff and at >= 0:
        value = _text(_ifd(tiff, at + 12, endian, 0).get(0x0025))
        if value:
            found.append(("Panasonic InternalSerialNumber", value))
    return found
