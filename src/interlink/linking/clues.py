"""Linking media by their clues, inside one scan and across scans, and the tables a report shows.

Media are linked when they share a camera (normalised make plus body or maker-note serial), an
EXIF ImageUniqueID, or were taken within a radius of each other (GPS; a grid of cells at least
the radius wide, so only neighbouring cells are compared). Pure functions over ``ClueRecord``s.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interlink.media.clues import Clues

#: Mean Earth radius (metres), for haversine distances.
EARTH_RADIUS_M = 6_371_008.8
#: Default radius (metres) within which two positions are one place.
PLACE_RADIUS_M = 100.0
_METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
#: Serials that cameras write when they have none.
_NO_SERIAL = frozenset({"", "0", "NONE", "UNKNOWN", "NA", "N/A", "NULL", "SERIAL", "123456789"})
_MAKER_WORDS = re.compile(r"[^a-z0-9]+")


class LinkKind(StrEnum):
    """What two media share."""

    CAMERA = "camera"
    IMAGE_UNIQUE_ID = "image_unique_id"
    PLACE = "place"


@dataclass(frozen=True, slots=True)
class ClueRecord:
    """The clues of one media in one scan: ``media`` and ``scan`` are the caller's keys (a
    SHA-256 and a scan or case id). ``captured`` is aware UTC when ``captured_utc``, else
    the camera clock's local time."""

    media: str
    scan: str
    make: str | None = None
    model: str | None = None
    serial: str | None = None
    image_unique_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    captured: datetime | None = None
    captured_utc: bool = False
    software: str | None = None

    @classmethod
    def from_clues(cls, media: str, scan: str, clues: Clues) -> ClueRecord:
        """The record of ``clues`` extracted from media ``media`` in scan ``scan``."""
        captured = clues.captured
        return cls(
            media=media,
            scan=scan,
            make=clues.make,
            model=clues.model,
            serial=clues.camera_serial,
            image_unique_id=clues.image_unique_id,
            latitude=clues.gps.latitude if clues.gps else None,
            longitude=clues.gps.longitude if clues.gps else None,
            captured=(captured.utc or captured.local) if captured else None,
            captured_utc=bool(captured and captured.utc),
            software=clues.software,
        )


@dataclass(frozen=True, slots=True)
class ClueLink:
    """Media sharing one clue: its kind, the shared ``key``, the media and the scans they were
    seen in (``cross_scan`` when more than one)."""

    kind: LinkKind
    key: str
    media: tuple[str, ...]
    scans: tuple[str, ...]

    @property
    def cross_scan(self) -> bool:
        """Whether the link joins media of different scans."""
        return len(self.scans) > 1


def maker_key(make: str | None) -> str | None:
    """A make reduced to its first word, lower case (``NIKON CORPORATION`` -> ``nikon``)."""
    words = _MAKER_WORDS.split((make or "").lower())
    first = next((w for w in words if w), None)
    return first


def serial_key(serial: str | None) -> str | None:
    """A serial without spaces and leading zeros, upper case; ``None`` for placeholders."""
    text = re.sub(r"\s+", "", serial or "").upper().lstrip("0")
    return None if text in _NO_SERIAL else text


def camera_key(make: str | None, serial: str | None) -> str | None:
    """``make:serial`` normalised, or ``None`` without a usable serial."""
    number = serial_key(serial)
    if number is None:
        return None
    return f"{maker_key(make) or 'unknown'}:{number}"


def _groups(kind: LinkKind, keyed: Iterable[tuple[str, ClueRecord]]) -> list[ClueLink]:
    media: dict[str, set[str]] = defaultdict(set)
    scans: dict[str, set[str]] = defaultdict(set)
    for key, record in keyed:
        media[key].add(record.media)
        scans[key].add(record.scan)
    links = [
        ClueLink(kind, key, tuple(sorted(media[key])), tuple(sorted(scans[key])))
        for key in media
        if len(media[key]) > 1
    ]
    return sorted(links, key=lambda link: (-len(link.media), link.key))


def links_by_camera(records: Iterable[ClueRecord]) -> list[ClueLink]:
    """Groups of two or more media taken by one camera (same make and serial)."""
    keyed = ((camera_key(r.make, r.serial), r) for r in records)
    return _groups(LinkKind.CAMERA, ((k, r) for k, r in keyed if k))


def links_by_unique_id(records: Iterable[ClueRecord]) -> list[ClueLink]:
    """Groups of two or more media with the same EXIF ImageUniqueID (copies of one shot)."""
    keyed = (((r.image_unique_id or "").strip().lower(), r) for r in records)
    return _groups(LinkKind.IMAGE_UNIQUE_ID, ((k, r) for k, r in keyed if k and k.strip("0")))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two positions in decimal degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


class _Grid:
    """Cells at least ``radius`` wide in both directions: rows of latitude, and in each row
    columns of longitude widened by the row's worst-case cos(latitude)."""

    def __init__(self, radius_m: float) -> None:
        self.dlat = radius_m / _METRES_PER_DEGREE
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)

    def row(self, latitude: float) -> int:
        return math.floor((latitude + 90) / self.dlat)

    def columns(self, row: int) -> tuple[float, int]:
        edge = max(abs(row * self.dlat - 90), abs((row + 1) * self.dlat - 90))
        shrink = math.cos(math.radians(min(edge, 90.0)))
        width = min(360.0, self.dlat / shrink) if shrink > 1e-9 else 360.0
        return width, max(1, math.floor(360 / width))

    def column(self, row: int, longitude: float) -> int:
        width, count = self.columns(row)
        return min(count - 1, math.floor((longitude + 180) / width))

    def add(self, index: int, latitude: float, longitude: float) -> None:
        row = self.row(latitude)
        self.cells[(row, self.column(row, longitude))].append(index)

    def near(self, latitude: float, longitude: float) -> Iterable[int]:
        row = self.row(latitude)
        for r in (row - 1, row, row + 1):
            _, count = self.columns(r)
            col = self.column(r, longitude)
            for c in {(col - 1) % count, col, (col + 1) % count}:
                yield from self.cells.get((r, c), ())


@dataclass(frozen=True, slots=True)
class Place:
    """Media taken within the linking radius of each other (chained): the centre of their
    positions, the farthest any is from it (metres), and the media and scans."""

    latitude: float
    longitude: float
    spread_m: float
    media: tuple[str, ...]
    scans: tuple[str, ...]


def places(records: Sequence[ClueRecord], radius_m: float = PLACE_RADIUS_M) -> list[Place]:
    """Every place some media were taken, positions within ``radius_m`` of another joined;
    the most media first. Media without a position are left out."""
    located = [r for r in records if r.latitude is not None and r.longitude is not None]
    parent = list(range(len(located)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    grid = _Grid(radius_m)
    for i, record in enumerate(located):
        lat, lon = float(record.latitude or 0), float(record.longitude or 0)
        for j in grid.near(lat, lon):
            other_lat, other_lon = float(located[j].latitude or 0), float(located[j].longitude or 0)
            if haversine_m(lat, lon, other_lat, other_lon) <= radius_m:
                parent[root(i)] = root(j)
        grid.add(i, lat, lon)
    clusters: dict[int, list[ClueRecord]] = defaultdict(list)
    for i, record in enumerate(located):
        clusters[root(i)].append(record)
    found = [_place(members) for members in clusters.values()]
    return sorted(found, key=lambda p: (-len(p.media), p.latitude, p.longitude))


def _place(members: list[ClueRecord]) -> Place:
    # Mean of unit vectors, so a place across the antimeridian is centred correctly.
    xs = ys = zs = 0.0
    for r in members:
        lat, lon = math.radians(float(r.latitude or 0)), math.radians(float(r.longitude or 0))
        xs, ys, zs = (
            xs + math.cos(lat) * math.cos(lon),
            ys + math.cos(lat) * math.sin(lon),
            zs + math.sin(lat),
        )
    lat_c = math.degrees(math.atan2(zs, math.hypot(xs, ys)))
    lon_c = math.degrees(math.atan2(ys, xs))
    spread = max(
        haversine_m(lat_c, lon_c, float(r.latitude or 0), float(r.longitude or 0)) for r in members
    )
    return Place(
        round(lat_c, 6),
        round(lon_c, 6),
        round(spread, 1),
        tuple(sorted({r.media for r in members})),
        tuple(sorted({r.scan for r in members})),
    )


def links_by_place(
    records: Sequence[ClueRecord], radius_m: float = PLACE_RADIUS_M
) -> list[ClueLink]:
    """``places`` with two or more media, as links keyed by their rounded centre."""
    return [
        ClueLink(LinkKind.PLACE, f"{p.latitude:.5f},{p.longitude:.5f}", p.media, p.scans)
        for p in places(records, radius_m)
        if len(p.media) > 1
    ]


@dataclass(frozen=True, slots=True)
class CameraRow:
    """One camera for the report: its key, make, models seen, serial, media and scans, and the
    first and last capture times of its media (as recorded)."""

    key: str
    make: str
    models: tuple[str, ...]
    serial: str
    media: tuple[str, ...]
    scans: tuple[str, ...]
    first: datetime | None
    last: datetime | None


def cameras(records: Iterable[ClueRecord]) -> list[CameraRow]:
    """Every camera with a usable serial, the most media first."""
    by_key: dict[str, list[ClueRecord]] = defaultdict(list)
    for record in records:
        key = camera_key(record.make, record.serial)
        if key:
            by_key[key].append(record)
    rows = []
    for key, members in by_key.items():
        times = sorted((r.captured for r in members if r.captured), key=_naive)
        rows.append(
            CameraRow(
                key=key,
                make=next((r.make for r in members if r.make), ""),
                models=tuple(sorted({r.model for r in members if r.model})),
                serial=key.split(":", 1)[1],
                media=tuple(sorted({r.media for r in members})),
                scans=tuple(sorted({r.scan for r in members})),
                first=times[0] if times else None,
                last=times[-1] if times else None,
            )
        )
    return sorted(rows, key=lambda row: (-len(row.media), row.key))


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One media on the capture timeline: when (aware UTC when ``utc``, else camera-local
    time), the media, its scan and its camera key."""

    when: datetime
    utc: bool
    media: str
    scan: str
    camera: str | None


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def timeline(records: Iterable[ClueRecord]) -> list[TimelineEntry]:
    """Media with a capture time, in time order (local times sorted as if UTC)."""
    entries = [
        TimelineEntry(r.captured, r.captured_utc, r.media, r.scan, camera_key(r.make, r.serial))
        for r in records
        if r.captured is not None
    ]
    return sorted(entries, key=lambda e: (_naive(e.when), e.media))


def timeline_days(entries: Iterable[TimelineEntry]) -> list[tuple[date, int]]:
    """How many media were captured on each day, in order (for a histogram)."""
    counts: dict[date, int] = defaultdict(int)
    for entry in entries:
        counts[_naive(entry.when).date()] += 1
    return sorted(counts.items())
