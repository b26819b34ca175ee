"""Rows of the media tables to and from the domain's clues and video properties."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from interlink.domain.clues import ClueFact, MediaClues, VideoInfo
from interlink.linking.clues import camera_key


def utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC time (SQLite returns naive ones)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def clue_row(sha256: str, clues: MediaClues) -> dict[str, Any]:
    """The ``media_clues`` row of a media's clues, with the camera's linking key."""
    return {
        "sha256": sha256,
        "make": clues.make,
        "model": clues.model,
        "serial": clues.serial,
        "camera_key": camera_key(clues.make, clues.serial),
        "lens_serial": clues.lens_serial,
        "image_unique_id": clues.image_unique_id,
        "software": clues.software,
        "captured_raw": clues.captured_raw,
        "captured_local": clues.captured_local.replace(tzinfo=None)
        if clues.captured_local
        else None,
        "captured_utc": clues.captured_utc,
        "latitude": clues.latitude,
        "longitude": clues.longitude,
        "altitude": clues.altitude,
        "thumbnail_sha256": clues.thumbnail_sha256,
        "thumbnail_pdq": clues.thumbnail_pdq,
        "thumbnail_differs": clues.thumbnail_differs,
        "thumbnail_reason": clues.thumbnail_reason,
        "facts": [[f.name, f.value, f.source] for f in clues.facts],
    }


def clues_of_row(row: Any) -> MediaClues:
    """The clues a ``media_clues`` row holds."""
    return MediaClues(
        make=row.make,
        model=row.model,
        serial=row.serial,
        lens_serial=row.lens_serial,
        image_unique_id=row.image_unique_id,
        software=row.software,
        captured_raw=row.captured_raw,
        captured_local=row.captured_local,
        captured_utc=utc(row.captured_utc),
        latitude=row.latitude,
        longitude=row.longitude,
        altitude=row.altitude,
        thumbnail_sha256=row.thumbnail_sha256,
        thumbnail_pdq=row.thumbnail_pdq,
        thumbnail_differs=row.thumbnail_differs,
        thumbnail_reason=row.thumbnail_reason,
        facts=tuple(ClueFact(str(n), str(v), str(s)) for n, v, s in row.facts or ()),
    )


def video_row(video: VideoInfo) -> dict[str, Any]:
    """The ``video_info`` columns of a video's properties (its size lives on ``media``)."""
    return {
        "container": video.container,
        "codec": video.codec,
        "fps": video.fps,
        "duration": video.duration,
        "frames_seen": video.frames_seen,
        "every_seconds": video.every_seconds,
        "sampled": video.sampled,
    }
