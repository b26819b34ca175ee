"""Clues that can locate a victim or link media: who made a picture, with what, when, where.

``extract_clues`` reads EXIF (camera make, model and serials, lens, ImageUniqueID, capture time
with its UTC offset, GPS, software, artist, owner, copyright), maker-note serials
(``media.makernotes``), XMP (``media.xmp``), PNG text chunks, a JPEG comment, and the embedded
EXIF thumbnail (``media.exif_thumbnail``). Every value is also kept as a ``ClueItem`` naming
where in the file it was found. Nothing here raises on bad metadata: each broken part becomes
a problem message and the rest is still read. File times come from the evidence source.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from interlink.media.exif_thumbnail import EmbeddedThumbnail, examine_thumbnail
from interlink.media.makernotes import makernote_serials
from interlink.media.xmp import XmpError, parse_xmp
from interlink.signals.pdq import hash_rgb

#: Images over this many pixels are not decoded to compare their thumbnail (headers still are).
MAX_PIXELS = 1 << 28

_T = TypeVar("_T")
_IFD0 = {0x010F: "make", 0x0110: "model", 0x0131: "software", 0x013B: "artist"}
_IFD0 |= {0x8298: "copyright"}
_EXIF = {
    0xA430: "owner",
    0xA431: "body_serial",
    0xA433: "lens_make",
    0xA434: "lens_model",
    0xA435: "lens_serial",
    0xA420: "image_unique_id",
}
_XMP_FIELDS = {
    "tiff:Make": "make",
    "tiff:Model": "model",
    "exifEX:BodySerialNumber": "body_serial",
    "aux:SerialNumber": "body_serial",
    "exifEX:LensMake": "lens_make",
    "exifEX:LensModel": "lens_model",
    "aux:Lens": "lens_model",
    "exifEX:LensSerialNumber": "lens_serial",
    "aux:LensSerialNumber": "lens_serial",
    "exifEX:ImageUniqueID": "image_unique_id",
    "exif:ImageUniqueID": "image_unique_id",
    "xmp:CreatorTool": "software",
    "tiff:Software": "software",
    "tiff:Artist": "artist",
    "dc:creator": "artist",
    "dc:rights": "copyright",
    "exifEX:CameraOwnerName": "owner",
    "aux:OwnerName": "owner",
}
#: (date tag, offset tag, sub-second tag, label) in order of preference.
_DATES = (
    (0x9003, 0x9011, 0x9291, "DateTimeOriginal"),
    (0x9004, 0x9012, 0x9292, "DateTimeDigitized"),
)


@dataclass(frozen=True, slots=True)
class ClueItem:
    """One value found in a file: ``name`` (``make``, ``body_serial``, ``xmp:dc:creator``,
    ``png:Comment``, ...), the text, and ``source``, where in the file it was."""

    name: str
    value: str
    source: str


@dataclass(frozen=True, slots=True)
class Capture:
    """When a picture was taken: the ``raw`` text, the camera clock's ``local`` time, and
    ``utc`` (aware) when the file gives the clock's UTC offset."""

    raw: str
    local: datetime
    utc: datetime | None
    source: str


@dataclass(frozen=True, slots=True)
class GpsFix:
    """A position in decimal degrees (WGS 84), altitude in metres, and the GPS time (UTC)."""

    latitude: float
    longitude: float
    altitude: float | None = None
    time: datetime | None = None


@dataclass(frozen=True, slots=True)
class Clues:
    """What one image's metadata says. Text fields are ``None`` when absent."""

    make: str | None = None
    model: str | None = None
    body_serial: str | None = None
    lens_make: str | None = None
    lens_model: str | None = None
    lens_serial: str | None = None
    image_unique_id: str | None = None
    software: str | None = None
    artist: str | None = None
    copyright: str | None = None
    owner: str | None = None
    maker_serials: tuple[tuple[str, str], ...] = ()
    captured: Capture | None = None
    gps: GpsFix | None = None
    thumbnail: EmbeddedThumbnail | None = None
    xmp: tuple[tuple[str, str], ...] = ()
    png_text: tuple[tuple[str, str], ...] = ()
    items: tuple[ClueItem, ...] = field(default=())
    problems: tuple[str, ...] = ()

    @property
    def camera_serial(self) -> str | None:
        """The body serial, or else the first maker-note serial."""
        if self.body_serial:
            return self.body_serial
        return self.maker_serials[0][1] if self.maker_serials else None

    @property
    def thumbnail_differs(self) -> bool:
        """Whether the embedded thumbnail shows something other than the main image."""
        return self.thumbnail is not None and self.thumbnail.differs


def _clean(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, tuple | list):
        value = ", ".join(str(v) for v in value)
    if value is None:
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None


def _number(value: Any) -> float:
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"not a number: {value!r}")
    return result


def _parse_offset(text: str | None) -> timezone | None:
    if not text or len(text) < 6 or text[0] not in "+-":
        return None
    hours, minutes = int(text[1:3]), int(text[4:6])
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def parse_exif_time(text: str, offset: str | None = None, subsec: str | None = None) -> Capture:
    """A ``YYYY:MM:DD HH:MM:SS`` (or ISO 8601) time with an optional ``+HH:MM`` offset and
    sub-second digits; raise ``ValueError`` when it is not a real time."""
    raw = " ".join(part for part in (text, offset) if part)
    cleaned = text.strip().replace("T", " ")
    zone = _parse_offset(offset)
    if len(cleaned) > 19 and cleaned[19] in "+-Z":  # ISO 8601 with its own offset (XMP)
        zone = zone or (UTC if cleaned[19] == "Z" else _parse_offset(cleaned[19:25]))
        cleaned = cleaned[:19]
    date_part, _, time_part = cleaned.partition(" ")
    local = datetime.strptime(
        date_part.replace("-", ":") + " " + (time_part or "00:00:00")[:8], "%Y:%m:%d %H:%M:%S"
    )
    if subsec and subsec.strip().isdigit():
        local = local.replace(microsecond=int(subsec.strip()[:6].ljust(6, "0")))
    utc = (local.replace(tzinfo=zone) - zone.utcoffset(None)).replace(tzinfo=UTC) if zone else None
    return Capture(raw, local, utc, "")


class _Reader:
    """Collects fields, items and problems while reading one file."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.items: list[ClueItem] = []
        self.problems: list[str] = []

    def add(self, name: str, value: Any, source: str, *, field_name: str | None = None) -> None:
        text = _clean(value)
        if text is None:
            return
        self.items.append(ClueItem(name, text, source))
        if field_name:
            self.fields.setdefault(field_name, text)

    def safely(self, label: str, action: Callable[[], _T]) -> _T | None:
        try:
            return action()
        except Exception as exc:
            self.problems.append(f"{label}: {type(exc).__name__}: {exc}")
            return None


def extract_clues(source: bytes | Path, *, main_pdq: str | None = None) -> Clues:
    """Every clue in the image at ``source`` (its bytes, or a path opened read-only).
    ``main_pdq`` is the main image's PDQ when the caller has it (otherwise it is computed, at
    reduced size, to compare the embedded thumbnail). Never raises for bad content."""
    reader = _Reader()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
            return Clues(problems=(f"not a readable image: {exc}",))
        with image:
            clues = _read(image, reader, main_pdq)
    noted = tuple(f"warning: {w.message}" for w in caught)
    return replace(clues, problems=clues.problems + noted) if noted else clues


def _read(image: Image.Image, reader: _Reader, main_pdq: str | None) -> Clues:
    exif = reader.safely("EXIF", image.getexif)
    raw = image.info.get("exif")
    tiff = raw[6:] if isinstance(raw, bytes) and raw.startswith(b"Exif\x00\x00") else raw
    tiff = tiff if isinstance(tiff, bytes) else None
    captured = gps = thumbnail = None
    serials: list[tuple[str, str]] = []
    if exif is not None:
        for tag, name in _IFD0.items():
            reader.add(name, exif.get(tag), f"EXIF IFD0 0x{tag:04x}", field_name=name)
        sub = reader.safely("EXIF IFD", lambda: exif.get_ifd(ExifTags.IFD.Exif)) or {}
        for tag, name in _EXIF.items():
            reader.add(name, sub.get(tag), f"EXIF IFD 0x{tag:04x}", field_name=name)
        captured = reader.safely("capture time", lambda: _capture(exif, sub, reader))
        gps = reader.safely("GPS", lambda: _gps(exif, reader))
        serials = reader.safely("maker note", lambda: _makernote(exif, sub, tiff, reader)) or []
        if tiff is not None:
            thumbnail = reader.safely(
                "EXIF thumbnail", lambda: _thumbnail(image, exif, tiff, main_pdq, reader)
            )
    xmp = reader.safely("XMP", lambda: _xmp(image, reader)) or []
    for name, value in xmp:
        reader.add(f"xmp:{name}", value, "XMP", field_name=_XMP_FIELDS.get(name))
    if captured is None:
        captured = _xmp_capture(xmp, reader)
    texts = reader.safely("PNG text", lambda: _png_text(image)) or []
    for key, value in texts:
        reader.add(f"png:{key}", value, "PNG text chunk")
    reader.add("comment", image.info.get("comment"), "JPEG comment")
    f = reader.fields
    return Clues(
        make=f.get("make"),
        model=f.get("model"),
        body_serial=f.get("body_serial"),
        lens_make=f.get("lens_make"),
        lens_model=f.get("lens_model"),
        lens_serial=f.get("lens_serial"),
        image_unique_id=f.get("image_unique_id"),
        software=f.get("software"),
        artist=f.get("artist"),
        copyright=f.get("copyright"),
        owner=f.get("owner"),
        maker_serials=tuple(serials),
        captured=captured,
        gps=gps,
        thumbnail=thumbnail,
        xmp=tuple(xmp),
        png_text=tuple(texts),
        items=tuple(reader.items),
        problems=tuple(reader.problems),
    )


def _capture(exif: Image.Exif, sub: dict[int, Any], reader: _Reader) -> Capture | None:
    for date_tag, offset_tag, subsec_tag, label in _DATES:
        text = _clean(sub.get(date_tag))
        if text:
            offset = _clean(sub.get(offset_tag)) or _clean(sub.get(0x9010))
            found = parse_exif_time(text, offset, _clean(sub.get(subsec_tag)))
            reader.add("captured", found.raw, f"EXIF {label}")
            return Capture(found.raw, found.local, found.utc, f"EXIF {label}")
    text = _clean(exif.get(0x0132))
    if text:
        found = parse_exif_time(text, _clean(sub.get(0x9010)))
        reader.add("modified", found.raw, "EXIF DateTime")
        return Capture(found.raw, found.local, found.utc, "EXIF DateTime (last change)")
    return None


def _xmp_capture(xmp: list[tuple[str, str]], reader: _Reader) -> Capture | None:
    for name, value in xmp:
        if name in ("exif:DateTimeOriginal", "photoshop:DateCreated", "xmp:CreateDate"):
            found = reader.safely(f"XMP {name}", partial(parse_exif_time, value))
            if found is not None:
                return Capture(found.raw, found.local, found.utc, f"XMP {name}")
    return None


def _dms(values: Any, ref: Any, negative: str) -> float:
    degrees, minutes, seconds = (_number(v) for v in values)
    result = degrees + minutes / 60 + seconds / 3600
    return -result if (_clean(ref) or "").upper().startswith(negative) else result


def _gps(exif: Image.Exif, reader: _Reader) -> GpsFix | None:
    info = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if not info or 2 not in info or 4 not in info:
        return None
    latitude = _dms(info[2], info.get(1), "S")
    longitude = _dms(info[4], info.get(3), "W")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(f"position out of range: {latitude}, {longitude}")
    if latitude == 0 and longitude == 0:
        reader.problems.append("GPS: position 0, 0 ignored (a receiver without a fix)")
        return None
    altitude = None
    if 6 in info:
        altitude = _number(info[6])
        if info.get(5) in (b"\x01", 1):
            altitude = -altitude
    stamp = None
    if 7 in info and 29 in info:
        hours, minutes, seconds = (_number(v) for v in info[7])
        day = datetime.strptime(str(_clean(info[29])), "%Y:%m:%d").replace(tzinfo=UTC)
        stamp = day + timedelta(hours=hours, minutes=minutes, seconds=seconds)
    fix = GpsFix(round(latitude, 7), round(longitude, 7), altitude, stamp)
    reader.add("gps", f"{fix.latitude:.6f}, {fix.longitude:.6f}", "EXIF GPS IFD")
    return fix


def _makernote(
    exif: Image.Exif, sub: dict[int, Any], tiff: bytes | None, reader: _Reader
) -> list[tuple[str, str]]:
    note = sub.get(0x927C)
    make = _clean(exif.get(0x010F)) or ""
    if not isinstance(note, bytes) or not make:
        return []
    fuji = exif.get_ifd(ExifTags.IFD.MakerNote) if make.lower().startswith("fujifilm") else None
    found = makernote_serials(make, note, tiff, fuji)
    for label, value in found:
        reader.add("maker_serial", value, f"MakerNote {label}")
    return found


def _thumbnail(
    image: Image.Image, exif: Image.Exif, tiff: bytes, main_pdq: str | None, reader: _Reader
) -> EmbeddedThumbnail | None:
    ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    offset, length = ifd1.get(0x0201), ifd1.get(0x0202)
    if not isinstance(offset, int) or not isinstance(length, int) or length <= 0:
        return None
    data = tiff[offset : offset + length]
    if len(data) != length:
        reader.problems.append("EXIF thumbnail: runs past the end of the EXIF block")
        return None
    if main_pdq is None and image.width * image.height <= MAX_PIXELS:
        image.draft("RGB", (512, 512))
        small = image.convert("RGB")
        small.thumbnail((512, 512))
        main_pdq = hash_rgb(np.asarray(small, dtype=np.uint8)).value
    found = examine_thumbnail(data, image.size, main_pdq)
    reader.add("thumbnail_sha256", found.sha256, "EXIF IFD1 thumbnail")
    return found


def _xmp(image: Image.Image, reader: _Reader) -> list[tuple[str, str]]:
    packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if not packet:
        return []
    try:
        return parse_xmp(packet)
    except XmpError as exc:
        reader.problems.append(f"XMP: {exc}")
        return []


def _png_text(image: Image.Image) -> list[tuple[str, str]]:
    text = getattr(image, "text", None) if image.format == "PNG" else None
    if not isinstance(text, dict):
        return []
    skip = {"XML:com.adobe.xmp", "Raw profile type exif", "Raw profile type APP1"}
    return [(str(k), str(v)) for k, v in text.items() if k not in skip and str(v).strip()]
