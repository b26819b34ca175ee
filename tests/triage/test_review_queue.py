"""The review queue's clue labels and their order."""

from __future__ import annotations

from interlink.domain.clues import MediaClues
from interlink.triage.review_queue import clue_hints, clue_weight


def test_hints_name_the_strongest_clue_first() -> None:
    clues = MediaClues(
        make="Canon",
        serial="0123",
        captured_raw="2024:05:01 12:30:00",
        latitude=48.85,
        longitude=2.35,
    )
    assert clue_hints(clues) == [
        "GPS 48.85000,2.35000",
        "camera Canon serial 0123",
        "taken 2024:05:01 12:30:00",
    ]
    assert clue_hints(None) == []
    assert clue_hints(MediaClues()) == []


def test_a_place_outweighs_a_camera_which_outweighs_a_date() -> None:
    place = clue_weight(clue_hints(MediaClues(latitude=1.0, longitude=2.0)))
    camera = clue_weight(clue_hints(MediaClues(make="Nikon", serial="77")))
    date = clue_weight(clue_hints(MediaClues(captured_raw="2020:01:01 00:00:00")))
    assert place > camera + date > camera > date > clue_weight([])


def test_a_serial_without_make_reads_cleanly() -> None:
    assert clue_hints(MediaClues(serial="42")) == ["camera serial 42"]
