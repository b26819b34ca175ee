import random

import pytest

from interlink.signals.vpdq import VpdqFeature
from interlink.signals.vpdq_clips import find_clips, match_frames_to_images, sampling_interval
from tests.signals.pdq_helpers import flip


def _long_video(seconds: int, seed: int) -> tuple[VpdqFeature, ...]:
    rng = random.Random(seed)
    return tuple(
        VpdqFeature(i, f"{rng.getrandbits(256):064x}", 90, float(i)) for i in range(seconds)
    )


def test_clip_inside_longer_video_is_found_with_its_offset() -> None:
    rng = random.Random(1)
    long = _long_video(120, 1)
    # Frames 40..59 of the long video, re-encoded (bits flipped), starting at 0 in the clip.
    clip = tuple(
        VpdqFeature(k, flip(f.pdq, 12, rng), 80, float(k)) for k, f in enumerate(long[40:60])
    )
    clips = find_clips(clip, long)
    assert len(clips) == 1
    found = clips[0]
    assert (found.a_start, found.a_end) == (0.0, 19.0)
    assert (found.b_start, found.b_end) == (40.0, 59.0)
    assert found.offset == pytest.approx(40.0)
    assert found.frames == 20
    assert found.coverage == 1.0
    # And the other way round: the long video holds the clip at -40 s.
    reverse = find_clips(long, clip)
    assert reverse[0].offset == pytest.approx(-40.0)
    assert reverse[0].a_start == 40.0


def test_two_clips_and_unrelated_video() -> None:
    long = _long_video(100, 2)
    montage = tuple(
        VpdqFeature(k, f.pdq, 90, float(k)) for k, f in enumerate(long[10:20] + long[70:80])
    )
    clips = find_clips(montage, long)
    assert sorted((c.a_start, c.offset) for c in clips) == [(0.0, 10.0), (10.0, 60.0)]
    assert find_clips(_long_video(50, 3), long) == []


def test_short_runs_are_not_clips() -> None:
    long = _long_video(30, 4)
    two = long[5:7]
    assert find_clips(two, long) == []
    assert find_clips(two, long, min_frames=2)[0].frames == 2


def test_sampling_interval() -> None:
    assert sampling_interval(_long_video(5, 5)) == 1.0
    assert sampling_interval(_long_video(1, 5)) == 0.0


def test_frames_match_known_images() -> None:
    rng = random.Random(99)
    video = _long_video(10, 6)
    images = [f"{rng.getrandbits(256):064x}", flip(video[7].pdq, 20, rng), video[2].pdq]
    found = match_frames_to_images(video, images)
    assert [(m.image, m.frame, m.distance) for m in found] == [(1, 7, 20), (2, 2, 0)]
    low = tuple(VpdqFeature(f.frame, f.pdq, 10, f.timestamp) for f in video)
    assert match_frames_to_images(low, images) == []
