"""Clues from a video container's metadata tags (QuickTime/MP4 ``udta`` and ``mdta`` keys,
Matroska tags), as PyAV reports them: make, model, software, capture time and ISO 6709
location. Phones write these; editors and transcoders overwrite some (``encoder``,
``creation_time``), which is itself a clue."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from interlink.media.clues import Capture, ClueItem, Clues, GpsFix

_FIELDS = {
    "make": ("com.apple.quicktime.make", "make", "com.android.manufacturer"),
    "model": ("com.apple.quicktime.model", "model", "com.android.model"),
    "software": ("com.apple.quicktime.software", "software", "com.android.version", "encoder"),
    "artist": ("com.apple.quicktime.author", "artist", "author"),
    "copyright": ("copyright",),
}
_TIMES = ("com.apple.quicktime.creationdate", "creation_time", "date")
_LOCATIONS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
_ISO6709 = re.compile(
    r"^([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS.*)?/?$"
)


def parse_iso6709(text: str) -> GpsFix:
    """A decimal-degree ISO 6709 point (``+51.5007-000.1246+012.000/``); raise
    ``ValueError`` for other forms."""
    found = _ISO6709.match(text.strip())
    if not found:
        raise ValueError(f"not an ISO 6709 decimal point: {text!r}")
    latitude, longitude = float(found.group(1)), float(found.group(2))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(f"position out of range: {text!r}")
    altitude = float(found.group(3)) if found.group(3) else None
    return GpsFix(latitude, longitude, altitude)


def _parse_time(text: str) -> datetime:
    cleaned = text.strip().replace("Z", "+0000")
    for pattern in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"):
        try:
            return datetime.strptime(cleaned, pattern).astimezone(UTC)
        except ValueError:
            continue
    return datetime.strptime(cleaned[:19], "%Y-%m-%dT%H:%M:%S")


def clues_from_tags(tags: Iterable[tuple[str, str]]) -> Clues:
    """The clues in a video's metadata tags (``VideoAnalysis.metadata``). Every tag is kept as
    a ``ClueItem``; unparseable times or places become problems."""
    table: dict[str, str] = {}
    items: list[ClueItem] = []
    for key, value in tags:
        text = value.replace("\x00", "").strip()
        if text:
            table.setdefault(key.removeprefix("stream:"), text)
            items.append(ClueItem(f"video:{key}", text, "video metadata"))
    problems: list[str] = []
    fields = {
        name: next((table[k] for k in keys if k in table), None) for name, keys in _FIELDS.items()
    }
    captured = None
    for key in _TIMES:
        if key in table:
            try:
                when = _parse_time(table[key])
            except ValueError as exc:
                problems.append(f"video {key}: {exc}")
                continue
            utc = when if when.tzinfo else None
            local = when.replace(tzinfo=None)
            captured = Capture(table[key], local, utc, f"video metadata {key}")
            break
    gps = None
    for key in _LOCATIONS:
        if key in table:
            try:
                gps = parse_iso6709(table[key])
                break
            except ValueError as exc:
                problems.append(f"video {key}: {exc}")
    return Clues(
        make=fields["make"],
        model=fields["model"],
        software=fields["software"],
        artist=fields["artist"],
        copyright=fields["copyright"],
        captured=captured,
        gps=gps,
        items=tuple(items),
        problems=tuple(problems),
    )
