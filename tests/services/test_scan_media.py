"""Scans of videos and of images carrying clues: what the store keeps for them."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import ExifTags

from interlink.adapters.sql.store import SqlStore
from interlink.demo.videos import make_video
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from interlink.media.video import analyse_video
from interlink.services.reports import case_report
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.signals import vpdq
from tests.media.exif_images import exif_block, picture, with_exif


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = SqlStore.open(f"sqlite:///{tmp_path / 'media.db'}")
    yield opened
    opened.close()


def _gps(lat: float, lon: float) -> dict[int, object]:
    def dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60, 2)
        return (Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(100))

    return {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}


def test_a_video_is_sampled_matched_and_given_a_contact_sheet(
    store: SqlStore, tmp_path: Path
) -> None:
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    known = make_video(tmp_path / "known.mp4", seconds=6, seed=4)
    # The seized copy: the same footage re-encoded at another size and quality.
    make_video(
        exhibit / "copy.mkv",
        seconds=6,
        seed=4,
        size=(256, 144),
        options={"preset": "ultrafast", "crf": "30", "g": "15"},
    )
    make_video(exhibit / "other.mp4", seconds=4, seed=9)
    features = analyse_video(known).frames
    with store.transaction() as tx:
        list_id = store.lists.create(tx, HashList("videos"), fmt="vpdq", pdq_threshold=31)
        store.lists.add_entries(
            tx, list_id, [ListEntry((Signal(vpdq.NAME, vpdq.dumps(features)),), series="V")]
        )
    assert [s.type for s in store.lists.signals([list_id])] == [vpdq.NAME]
    result = scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    assert result.summary.known == 1 and result.summary.new_videos == 1
    report = case_report(store, "C")
    by_name = {f["path"].rsplit(":", 1)[-1]: f for f in report["files"]}
    copy = by_name["copy.mkv"]
    assert copy["kind"] == "video" and copy["status"] == "known"
    assert [m["signal"] for m in copy["matches"]] == ["vpdq"]
    assert by_name["other.mp4"]["status"] == "new"
    sha = copy["sha256"]
    assert store.media.thumbnail(sha)  # the contact sheet
    info = store.media.videos_of([sha])[sha]
    assert info.sampled >= 5 and (info.width, info.height) == (256, 144)


def test_frames_of_a_video_match_known_images(store: SqlStore, tmp_path: Path) -> None:
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    video = make_video(exhibit / "clip.mp4", seconds=5, seed=2)
    frame = analyse_video(video).frames[2]
    with store.transaction() as tx:
        list_id = store.lists.create(tx, HashList("stills"), fmt="csv", pdq_threshold=31)
        store.lists.add_entries(tx, list_id, [ListEntry((Signal("pdq", frame.pdq, 90),))])
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    [record] = case_report(store, "C")["files"]
    assert [(m["signal"], m["distance"]) for m in record["matches"]] == [("vpdq-frame", 0)]


def test_image_clues_are_stored_per_media(store: SqlStore, tmp_path: Path) -> None:
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    block = exif_block(
        ifd0={ExifTags.Base.Make: "Canon", ExifTags.Base.Model: "EOS 5D"},
        exif={
            ExifTags.Base.BodySerialNumber: "0123456789",
            ExifTags.Base.DateTimeOriginal: "2024:05:01 10:11:12",
            ExifTags.Base.OffsetTimeOriginal: "+02:00",
            ExifTags.Base.ImageUniqueID: "abc123",
        },
        gps=_gps(48.8566, 2.3522),
    )
    data = with_exif(picture(seed=3), block)
    (exhibit / "a.jpg").write_bytes(data)
    (exhibit / "plain.jpg").write_bytes(with_exif(picture(seed=5), exif_block()))
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    report = case_report(store, "C")
    shas = {f["path"].rsplit(":", 1)[-1]: f["sha256"] for f in report["files"]}
    clues = store.media.clues_of(list(shas.values()))
    assert set(clues) == {shas["a.jpg"]}
    found = clues[shas["a.jpg"]]
    assert (found.make, found.serial, found.image_unique_id) == ("Canon", "0123456789", "abc123")
    assert found.captured_utc is not None and found.captured_utc.hour == 8
    assert found.latitude == pytest.approx(48.8566, abs=1e-3)
    assert any(f.name == "body_serial" or "serial" in f.name.lower() for f in found.facts)


def test_a_known_clip_inside_a_longer_video_is_located(store: SqlStore, tmp_path: Path) -> None:
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    # The known video is seconds 4-10 of the sequence; the seized one runs 0-14.
    known = make_video(tmp_path / "known.mp4", seconds=6, seed=6, start=4.0)
    make_video(exhibit / "long.mp4", seconds=14, seed=6)
    with store.transaction() as tx:
        list_id = store.lists.create(tx, HashList("videos"), fmt="vpdq", pdq_threshold=31)
        features = analyse_video(known).frames
        store.lists.add_entries(
            tx, list_id, [ListEntry((Signal(vpdq.NAME, vpdq.dumps(features)),))]
        )
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    [record] = case_report(store, "C")["files"]
    assert record["status"] == "known"
    [clip, *_] = record["clips"]
    assert clip["known_start"] <= 1.0 and clip["known_end"] >= 4.0
    assert abs((clip["at_start"] - clip["known_start"]) - 4.0) <= 1.0
