"""What a media's own metadata says about where, when and with what it was made."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ClueFact:
    """One piece of metadata: its name, value, and where in the file it was read."""

    name: str
    value: str
    source: str


@dataclass(frozen=True, slots=True)
class MediaClues:
    """The clues of one media, flattened for storage and linking.

    ``captured_local`` is the camera clock's time; ``captured_utc`` is set only when the file
    gave the offset. ``thumbnail_*`` describe the embedded EXIF thumbnail, and
    ``thumbnail_differs`` flags one that shows other content than the image (an edit or crop).
    """

    make: str | None = None
    model: str | None = None
    serial: str | None = None
    lens_serial: str | None = None
    image_unique_id: str | None = None
    software: str | None = None
    captured_raw: str | None = None
    captured_local: datetime | None = None
    captured_utc: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    thumbnail_sha256: str | None = None
    thumbnail_pdq: str | None = None
    thumbnail_differs: bool = False
    thumbnail_reason: str | None = None
    facts: tuple[ClueFact, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """Whether the media said nothing at all."""
        return not self.facts and self.serial is None and self.latitude is None


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """A video's container and stream properties, and how it was sampled."""

    container: str
    codec: str
    width: int
    height: int
    fps: float
    duration: float | None
    frames_seen: int
    every_seconds: float
    sampled: int
