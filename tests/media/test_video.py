import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from interlink.demo.videos import make_video
from interlink.domain.errors import DecodeError, PixelLimitError, UnsupportedMediaError
from interlink.domain.problems import ProblemKind
from interlink.media.video import VideoLimits, analyse_video, hash_factor
from interlink.signals.pdq import hash_rgb
from interlink.signals.vpdq import match_videos
from interlink.signals.vpdq_clips import find_clips


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="module")
def base(folder: Path) -> Path:
    return make_video(folder / "base.mp4", seconds=12)


def test_samples_one_frame_per_second(base: Path) -> None:
    result = analyse_video(base)
    assert (result.width, result.height, result.fps, result.codec) == (320, 180, 30.0, "h264")
    assert result.duration == pytest.approx(12.0, abs=0.1)
    assert result.frames_seen == 360
    assert [f.frame for f in result.frames] == list(range(0, 360, 30))
    assert [f.timestamp for f in result.frames] == [float(s) for s in range(12)]
    assert all(f.quality >= 80 for f in result.frames)
    assert result.complete
    with Image.open(io.BytesIO(result.contact_sheet)) as sheet:
        assert sheet.format == "JPEG"
        assert sheet.size == (4 * 192, 3 * 108)


@pytest.mark.parametrize(
    ("options", "every", "step"),
    [
        (None, 0.5, 15),
        # B-frames in a pyramid, long groups: exercises reordering and skipped frames.
        ({"preset": "medium", "g": "90", "bf": "3"}, 0.4, 12),
    ],
)
def test_sampled_hashes_equal_decoding_every_frame(
    folder: Path, options: dict[str, str] | None, every: float, step: int
) -> None:
    video = make_video(folder / f"every-{step}.mp4", seconds=8, options=options)
    result = analyse_video(video, every_seconds=every, hash_size=None)
    expected = {}
    with av.open(str(video)) as container:
        for number, frame in enumerate(container.decode(video=0)):
            if number % step == 0:
                rgb = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
                expected[number] = hash_rgb(rgb).value
    assert {f.frame: f.pdq for f in result.frames} == expected


def test_reduced_size_hashes_stay_close_to_full_size(folder: Path) -> None:
    video = make_video(folder / "hd.mp4", seconds=3, size=(1280, 720))
    full = analyse_video(video, every_seconds=0.25, hash_size=None).frames
    small = analyse_video(video, every_seconds=0.25).frames  # shrunk to 640 x 360
    pairs = zip(full, small, strict=True)
    distances = [(int(a.pdq, 16) ^ int(b.pdq, 16)).bit_count() for a, b in pairs]
    assert len(distances) == 13
    assert max(distances) <= 31
    assert sum(distances) / len(distances) <= 10


def test_hash_factor_is_whole() -> None:
    assert hash_factor(1920, 1080, 640) == 3
    assert hash_factor(1080, 1920, 640) == 3
    assert hash_factor(3840, 2160, 640) == 6
    assert hash_factor(854, 480, 640) == 1
    assert hash_factor(1920, 1080, None) == 1


def test_reencoded_and_resized_copies_match(folder: Path, base: Path) -> None:
    known = analyse_video(base).frames
    webm = make_video(
        folder / "re.webm",
        seconds=12,
        codec="libvpx-vp9",
        options={"crf": "50", "b": "0", "deadline": "realtime", "cpu-used": "8"},
    )
    small = make_video(folder / "small.mp4", seconds=12, size=(160, 90))
    for copy in (webm, small):
        result = match_videos(analyse_video(copy).frames, known)
        assert result.matched, (copy.name, result)
    other = analyse_video(make_video(folder / "other.mp4", seconds=6, seed=2)).frames
    assert match_videos(other, known) == match_videos(other, known, known_pct=100.0)
    assert not match_videos(other, known).matched


def test_clip_of_known_video_is_found_in_longer_video(folder: Path, base: Path) -> None:
    clip = make_video(folder / "clip.mp4", seconds=5, start=3.5)
    long = analyse_video(base, every_seconds=0.25).frames
    short = analyse_video(clip, every_seconds=0.25).frames
    # The longer (seized) video holds the whole known clip.
    assert match_videos(long, short).matched
    assert not match_videos(short, long).matched
    found = find_clips(short, long)
    assert found[0].offset == pytest.approx(3.5, abs=0.25)
    assert found[0].coverage > 0.8
    assert found[0].a_end - found[0].a_start == pytest.approx(4.75, abs=0.5)


def test_reads_from_a_stream(base: Path) -> None:
    with base.open("rb") as handle:
        assert analyse_video(handle).frames == analyse_video(base).frames


def test_truncated_stream_gives_partial_frames(folder: Path) -> None:
    data = make_video(folder / "whole.mkv", seconds=10).read_bytes()
    cut = folder / "cut.mkv"
    cut.write_bytes(data[: len(data) // 2])
    result = analyse_video(cut)
    assert 3 <= len(result.frames) < 10
    assert [i.kind for i in result.issues] == [ProblemKind.TRUNCATED]
    assert not result.complete


def test_corrupt_packets_give_an_issue_and_the_rest(folder: Path) -> None:
    data = bytearray(make_video(folder / "whole.mp4", seconds=10).read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20000] = (
        np.random.default_rng(1).integers(0, 256, 20000, dtype=np.uint8).tobytes()
    )
    damaged = folder / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    result = analyse_video(damaged)
    assert len(result.frames) >= 8
    assert ProblemKind.CORRUPT in {i.kind for i in result.issues}


def test_unreadable_inputs_raise(folder: Path) -> None:
    junk = folder / "junk.bin"
    junk.write_bytes(np.random.default_rng(2).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(DecodeError):
        analyse_video(junk)
    with pytest.raises(DecodeError):
        analyse_video(io.BytesIO(b""))
    data = make_video(folder / "nomoov.mp4", seconds=4).read_bytes()
    with pytest.raises(DecodeError):
        analyse_video(io.BytesIO(data[: len(data) // 2]))


def test_unsupported_streams_raise(folder: Path) -> None:
    data = make_video(folder / "codec.mkv", seconds=2).read_bytes()
    at = data.index(b"V_MPEG4/ISO/AVC")
    unknown = folder / "unknown.mkv"
    unknown.write_bytes(data[:at] + b"V_QQQQQ/ISO/AVC" + data[at + 15 :])
    with pytest.raises(UnsupportedMediaError, match="no decoder"):
        analyse_video(unknown)
    audio = folder / "audio.m4a"
    with av.open(str(audio), "w") as out:
        stream = out.add_stream("aac", rate=8000, layout="mono")
        silence = av.AudioFrame.from_ndarray(
            np.zeros((1, 1024), dtype=np.float32), format="fltp", layout="mono"
        )
        silence.sample_rate, silence.pts = 8000, 0
        for packet in [*stream.encode(silence), *stream.encode()]:
            out.mux(packet)
    with pytest.raises(UnsupportedMediaError, match="no video stream"):
        analyse_video(audio)


def test_limits(base: Path) -> None:
    capped = analyse_video(base, limits=VideoLimits(max_samples=3))
    assert len(capped.frames) == 3
    assert capped.issues[0].kind is ProblemKind.TIMEOUT
    with pytest.raises(PixelLimitError):
        analyse_video(base, limits=VideoLimits(max_pixels=320 * 179))
    with pytest.raises(ValueError, match="positive"):
        analyse_video(base, every_seconds=0)
