"""Flatten what the media analysers found into the domain records the store keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from interlink.domain.clues import ClueFact, MediaClues, VideoInfo

if TYPE_CHECKING:  # records only read them: no need to load Pillow or PyAV for that
    from interlink.media.clues import Clues
    from interlink.media.video import VideoAnalysis


def media_clues(clues: Clues) -> MediaClues:
    """The storable record of ``clues``."""
    captured = clues.captured
    gps = clues.gps
    thumb = clues.thumbnail
    return MediaClues(
        make=clues.make,
        model=clues.model,
        serial=clues.camera_serial,
        lens_serial=clues.lens_serial,
        image_unique_id=clues.image_unique_id,
        software=clues.software,
        captured_raw=captured.raw if captured else None,
        captured_local=captured.local if captured else None,
        captured_utc=captured.utc if captured else None,
        latitude=gps.latitude if gps else None,
        longitude=gps.longitude if gps else None,
        altitude=gps.altitude if gps else None,
        thumbnail_sha256=thumb.sha256 if thumb else None,
        thumbnail_pdq=thumb.pdq if thumb else None,
        thumbnail_differs=clues.thumbnail_differs,
        thumbnail_reason=(thumb.reason or None) if thumb else None,
        facts=tuple(ClueFact(item.name, item.value, item.source) for item in clues.items),
    )


def video_info(analysis: VideoAnalysis) -> VideoInfo:
    """The storable properties of an analysed video."""
    return VideoInfo(
        container=analysis.container,
        codec=analysis.codec,
        width=analysis.width,
        height=analysis.height,
        fps=analysis.fps,
        duration=analysis.duration,
        frames_seen=analysis.frames_seen,
        every_seconds=analysis.every_seconds,
        sampled=len(analysis.frames),
    )
