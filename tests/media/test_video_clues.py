from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import av
import pytest

from interlink.demo.videos import frames
from interlink.domain.errors import DecodeError, PixelLimitError, UnsupportedMediaError
from interlink.domain.problems import ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.media.video import analyse_video, error_problem, issue_problems
from interlink.media.video_clues import clues_from_tags, parse_iso6709


def test_phone_tags_give_camera_time_and_place(tmp_path: Path) -> None:
    path = tmp_path / "phone.mov"
    with av.open(str(path), "w") as out:
        out.metadata.update(
            {
                "creation_time": "2021-05-06T07:08:09.000000Z",
                "location": "+51.5007-000.1246+012.000/",
                "make": "Apple",
                "model": "iPhone 12",
            }
        )
        stream = out.add_stream("libx264", rate=Fraction(30))
        assert isinstance(stream, av.video.stream.VideoStream)
        stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for rgb in frames(1, 1, 160, 90, 30):
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    analysis = analyse_video(path)
    clues = clues_from_tags(analysis.metadata)
    assert (clues.make, clues.model) == ("Apple", "iPhone 12")
    assert clues.software is not None and clues.software.startswith("Lavf")
    assert clues.captured is not None
    assert clues.captured.utc == datetime(2021, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert clues.gps is not None
    assert (clues.gps.latitude, clues.gps.longitude, clues.gps.altitude) == (51.5007, -0.1246, 12.0)
    assert {"video:make", "video:stream:handler_name"} <= {item.name for item in clues.items}


def test_apple_local_time_and_bad_values() -> None:
    clues = clues_from_tags(
        [
            ("com.apple.quicktime.creationdate", "2021-05-06T09:08:09+0200"),
            ("location", "somewhere"),
        ]
    )
    assert clues.captured is not None
    assert clues.captured.utc == datetime(2021, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert clues.gps is None
    assert clues.problems and "ISO 6709" in clues.problems[0]
    with pytest.raises(ValueError, match="range"):
        parse_iso6709("+95.0+010.0/")


def test_problems_for_the_scan() -> None:
    ref = SourceRef("exhibit-1").child("folder", "clip.mp4")
    assert error_problem(UnsupportedMediaError("no video stream"), ref).kind is (
        ProblemKind.UNSUPPORTED
    )
    assert error_problem(PixelLimitError(10, 5), ref).kind is ProblemKind.DECOMPRESSION_BOMB
    assert error_problem(DecodeError("bad"), ref).kind is ProblemKind.CORRUPT


def test_issues_become_problems(tmp_path: Path) -> None:
    from interlink.demo.videos import make_video

    data = make_video(tmp_path / "whole.mkv", seconds=6).read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) // 2])
    ref = SourceRef("exhibit-1").child("folder", "cut.mkv")
    (problem,) = issue_problems(analyse_video(cut), ref)
    assert problem.kind is ProblemKind.TRUNCATED
    assert problem.ref == ref
    assert "declared 6.0 s" in problem.message
