"""An excerpt of a known video, scanned: recorded as a match, shown with its time ranges in the
JSON and HTML reports and in the VICS export; full copies stay full matches; unrelated videos
and videos sharing only a title card stay new. Every video is generated here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.demo.videos import frames, write_video
from interlink.domain.categories import Category
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from interlink.media.video import analyse_video
from interlink.services.cases import acting_agency
from interlink.services.reports import case_report
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.services.vics_export import export_vics
from interlink.signals import vpdq
from interlink.triage.html import render_report

FPS = 10
SIZE = (192, 108)


def _title(
    seconds: float, width: int, height: int, fps: int = FPS
) -> Iterator[npt.NDArray[np.uint8]]:
    """A still title card: a dark field with light bars."""
    card = np.full((height, width, 3), 30, dtype=np.uint8)
    for row in range(3):
        top = height // 4 + row * height // 6
        card[top : top + height // 12, width // 6 : width - width // 4 * row // 2] = 220
    for _ in range(round(seconds * fps)):
        yield card


def _known_frames(
    width: int, height: int, start: float, seconds: float, fps: int = FPS
) -> Iterator[Any]:
    """The known video: a 2-s title card, then 18 s of footage of sequence 3."""
    title = max(0.0, min(2.0, start + seconds) - start)
    body_start = max(0.0, start - 2.0)
    return chain(
        _title(title, width, height, fps),
        frames(seconds - title, 3, width, height, fps, body_start),
    )


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[SqlStore, dict[str, Any], Path]:
    folder = tmp_path_factory.mktemp("excerpts")
    exhibit = folder / "exhibit"
    exhibit.mkdir()
    known = write_video(folder / "known.mp4", _known_frames(*SIZE, 0.0, 20.0), fps=FPS)
    small = {"preset": "veryfast", "crf": "30", "g": "25"}
    # Seconds 7-13 of the known video, re-encoded smaller, at another rate and quality.
    excerpt = _known_frames(160, 90, 7.0, 6.0, 25)
    write_video(exhibit / "excerpt.mp4", excerpt, fps=25, options=small)
    # The whole known video re-encoded.
    write_video(exhibit / "copy.mp4", _known_frames(160, 90, 0.0, 20.0), fps=FPS, options=small)
    # Unrelated footage, and the same title card followed by other footage.
    write_video(exhibit / "other.mp4", frames(8.0, 9, *SIZE, FPS), fps=FPS)
    write_video(
        exhibit / "titled.mp4",
        chain(_title(2.0, *SIZE), frames(8.0, 11, *SIZE, FPS)),
        fps=FPS,
    )
    store = SqlStore.open(f"sqlite:///{folder / 'store.db'}")
    features = analyse_video(known).frames
    entry = ListEntry(
        (Signal(vpdq.NAME, vpdq.dumps(features)),),
        category=Category("projectvic-us", "1"),
        series="S",
        external_id="KV-20",
    )
    with store.transaction() as tx:
        list_id = store.lists.create(tx, HashList("videos"), fmt="vpdq", pdq_threshold=31)
        store.lists.add_entries(tx, list_id, [entry])
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    return store, case_report(store, "C"), folder


def _by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"].rsplit(":", 1)[-1].rsplit("/", 1)[-1]: f for f in report["files"]}


def test_an_excerpt_is_known_with_its_ranges_in_both_videos(
    scanned: tuple[SqlStore, dict[str, Any], Path],
) -> None:
    _, report, _ = scanned
    record = _by_name(report)["excerpt.mp4"]
    assert record["status"] == "known"
    [match] = record["matches"]
    assert match["signal"] == "vpdq-excerpt" and match["series"] == "S"
    excerpt = match["excerpt"]
    assert excerpt["known_video"] == "videos KV-20"
    assert excerpt["query_start"] == pytest.approx(0.0, abs=1.0)
    assert excerpt["query_end"] == pytest.approx(6.0, abs=1.0)
    assert excerpt["known_start"] == pytest.approx(7.0, abs=1.0)
    assert excerpt["known_end"] == pytest.approx(13.0, abs=1.0)
    assert excerpt["coverage"] >= 0.8 and match["distance"] == 100 - int(100 * excerpt["coverage"])
    assert excerpt["label"].startswith(
        "excerpt of videos KV-20, 00:07\N{EN DASH}00:13 of the known video"
    )
    assert report["summary"]["known"] == 2 and report["summary"]["new_videos"] == 2


def test_a_full_copy_stays_a_full_match_and_the_rest_stay_new(
    scanned: tuple[SqlStore, dict[str, Any], Path],
) -> None:
    _, report, _ = scanned
    files = _by_name(report)
    copy = files["copy.mp4"]
    assert [m["signal"] for m in copy["matches"]] == ["vpdq"]
    assert "excerpt" not in copy["matches"][0] and copy["clips"]
    for name in ("other.mp4", "titled.mp4"):
        assert files[name]["status"] == "new" and files[name]["matches"] == []
    queued = {item["path"].rsplit(":", 1)[-1] for item in report["review_queue"]}
    assert queued == {"other.mp4", "titled.mp4"}


def test_the_html_report_and_the_vics_export_name_the_excerpt(
    scanned: tuple[SqlStore, dict[str, Any], Path],
) -> None:
    store, report, folder = scanned
    page = render_report(report, lambda sha: None)
    assert "excerpt of videos KV-20, 00:07\N{EN DASH}00:13 of the known video" in page
    out = folder / "case.json"
    export_vics(store, "C", out, agency=acting_agency(store))
    media = {
        m["MD5"]: m
        for case in json.loads(out.read_text(encoding="utf-8"))["value"]
        for m in case["Media"]
    }
    record = _by_name(report)["excerpt.mp4"]
    exported = media[record["md5"]]
    assert exported["Category"] == 1
    assert exported["Comments"].startswith("excerpt of videos KV-20, 00:07\N{EN DASH}00:13")
    assert "Comments" not in media[_by_name(report)["copy.mp4"]["md5"]]
