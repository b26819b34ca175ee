"""Media rows to and from the domain's clues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from interlink.adapters.sql.media_rows import clue_row, clues_of_row, utc, video_row
from interlink.domain.clues import ClueFact, MediaClues, VideoInfo


def test_clues_survive_the_row_and_back() -> None:
    clues = MediaClues(
        make="Canon",
        model="EOS 80D",
        serial="012345678901",
        captured_local=datetime(2024, 5, 1, 12, 30),
        captured_utc=datetime(2024, 5, 1, 10, 30, tzinfo=UTC),
        latitude=48.85,
        longitude=2.35,
        thumbnail_differs=True,
        thumbnail_reason="crop",
        facts=(ClueFact("OwnerName", "A. Person", "exif"),),
    )
    row = clue_row("ab" * 32, clues)
    assert row["camera_key"] == "canon:12345678901"
    stored = {**row, "captured_utc": row["captured_utc"].replace(tzinfo=None)}
    assert clues_of_row(SimpleNamespace(**stored)) == clues


def test_utc_reads_naive_times_as_utc_and_converts_others() -> None:
    assert utc(None) is None
    assert utc(datetime(2024, 1, 1, 8)) == datetime(2024, 1, 1, 8, tzinfo=UTC)
    paris = timezone(timedelta(hours=1))
    assert utc(datetime(2024, 1, 1, 9, tzinfo=paris)) == datetime(2024, 1, 1, 8, tzinfo=UTC)
    assert utc(datetime(2024, 1, 1, 9, tzinfo=paris)).tzinfo is UTC  # type: ignore[union-attr]


def test_a_video_row_leaves_the_size_to_the_media_row() -> None:
    video = VideoInfo("mp4", "h264", 640, 480, 25.0, 12.5, 10, 1.0, 10)
    row = video_row(video)
    assert "width" not in row and "height" not in row
    assert row["codec"] == "h264" and row["sampled"] == 10
