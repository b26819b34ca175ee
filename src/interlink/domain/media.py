"""Media (unique content, keyed by SHA-256) and sightings (each copy of it in an exhibit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from interlink.domain.provenance import SourceRef
from interlink.domain.signals import Signal


class MediaKind(StrEnum):
    """The broad kind of a file, from its content."""

    IMAGE = "image"
    VIDEO = "video"
    ARCHIVE = "archive"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Media:
    """One unique content, identified by its SHA-256.

    ``media_type`` is a MIME type found from the content's magic bytes, never from a file name
    (``application/octet-stream`` when unknown). ``signals`` holds every hash of the content,
    the cryptographic ones included.
    """

    sha256: str
    md5: str
    sha1: str
    size: int
    media_type: str
    kind: MediaKind
    width: int | None = None
    height: int | None = None
    signals: tuple[Signal, ...] = field(default=())

    def signal(self, signal_type: str) -> Signal | None:
        """The first signal of ``signal_type``, if any."""
        for signal in self.signals:
            if signal.type == signal_type:
                return signal
        return None


@dataclass(frozen=True, slots=True)
class Sighting:
    """One copy of a media, found at ``ref`` while scanning an exhibit of a case."""

    sha256: str
    ref: SourceRef
    size: int
    modified: datetime | None = None
