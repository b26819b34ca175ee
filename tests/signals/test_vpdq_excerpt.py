import random

import pytest

from interlink.signals.vpdq import VpdqFeature, feature_words
from interlink.signals.vpdq_excerpt import (
    Excerpt,
    distinct_pictures,
    find_excerpt,
    match_distance,
)
from tests.signals.pdq_helpers import flip, random_hash


def _video(seconds: int, seed: int, step: float = 1.0) -> tuple[VpdqFeature, ...]:
    rng = random.Random(seed)
    return tuple(
        VpdqFeature(i, random_hash(rng), 90, i * step) for i in range(round(seconds / step))
    )


def _reencoded(
    frames: tuple[VpdqFeature, ...], start: float = 0.0, bits: int = 12, seed: int = 0
) -> tuple[VpdqFeature, ...]:
    """The frames again from ``start`` seconds, each PDQ ``bits`` away (a re-encode)."""
    rng = random.Random(seed)
    return tuple(
        VpdqFeature(k, flip(f.pdq, bits, rng), 80, start + k) for k, f in enumerate(frames)
    )


KNOWN = _video(20, 1)


def test_a_clip_of_a_known_video_is_an_excerpt_with_its_ranges() -> None:
    clip = _reencoded(KNOWN[7:13])
    found = find_excerpt(clip, KNOWN)
    assert found == Excerpt(0.0, 6.0, 7.0, 13.0, 7.0, 6, 1.0, 1.0)
    assert match_distance(found) == 0


def test_a_clip_sampled_at_another_phase_keeps_its_offset() -> None:
    # Cut at 7.5 s: each sample lies half a second after the known sample it resembles.
    clip = _reencoded(KNOWN[7:13], start=0.0, bits=20, seed=2)
    shifted = tuple(VpdqFeature(f.frame, f.pdq, f.quality, f.timestamp + 0.5) for f in clip)
    found = find_excerpt(shifted, KNOWN)
    assert found is not None
    assert found.offset == pytest.approx(6.5)
    assert found.known_start == pytest.approx(7.0) and found.known_end == pytest.approx(13.0)


def test_one_lost_frame_is_tolerated_two_are_not() -> None:
    clip = list(_reencoded(KNOWN[7:15]))
    rng = random.Random(3)
    clip[3] = VpdqFeature(3, random_hash(rng), 80, 3.0)
    one_lost = find_excerpt(clip, KNOWN)
    assert one_lost is not None and (one_lost.frames, one_lost.coverage) == (7, 0.875)
    assert match_distance(one_lost) == 13
    clip[5] = VpdqFeature(5, random_hash(rng), 80, 5.0)
    assert find_excerpt(clip, KNOWN) is None


def test_frames_out_of_order_or_at_another_speed_are_not_an_excerpt() -> None:
    shuffled = [KNOWN[i] for i in (12, 3, 17, 8, 1, 15)]
    montage = tuple(VpdqFeature(k, f.pdq, 90, float(k)) for k, f in enumerate(shuffled))
    assert find_excerpt(montage, KNOWN) is None
    double_speed = tuple(VpdqFeature(k, f.pdq, 90, float(k)) for k, f in enumerate(KNOWN[::2]))
    assert find_excerpt(double_speed, KNOWN) is None


def test_a_still_or_a_short_query_is_not_an_excerpt() -> None:
    rng = random.Random(4)
    # One picture held for 10 s (re-encoding noise makes every sample's PDQ differ a little).
    still = tuple(VpdqFeature(k, flip(KNOWN[5].pdq, 6, rng), 90, float(k)) for k in range(10))
    assert find_excerpt(still, KNOWN) is None
    assert find_excerpt(_reencoded(KNOWN[7:10]), KNOWN) is None  # 3 s: too short
    assert find_excerpt(_reencoded(KNOWN[7:11]), KNOWN) is not None  # 4 s is enough


def test_sharing_a_few_frames_is_not_an_excerpt() -> None:
    # A title card (3 s) of the known video, then 9 s of other footage.
    query = _reencoded(KNOWN[:3] + _video(9, 5))
    assert find_excerpt(query, KNOWN) is None
    assert find_excerpt(_video(8, 6), KNOWN) is None


def test_the_known_stretch_must_be_in_the_query() -> None:
    # The known video is sampled twice a second with a different shot on every half second;
    # the query has only the whole-second shots of 7-13 s.
    rng = random.Random(7)
    dense = tuple(
        VpdqFeature(i, KNOWN[i // 2].pdq if i % 2 == 0 else random_hash(rng), 90, i / 2)
        for i in range(40)
    )
    clip = _reencoded(KNOWN[7:13])
    assert find_excerpt(clip, dense) is None
    assert find_excerpt(clip, dense, min_stretch_coverage=0.5) is not None


def test_low_quality_frames_do_not_count() -> None:
    clip = tuple(VpdqFeature(f.frame, f.pdq, 10, f.timestamp) for f in _reencoded(KNOWN[7:13]))
    assert find_excerpt(clip, KNOWN) is None


def test_distinct_pictures_counts_frames_more_than_the_distance_apart() -> None:
    rng = random.Random(8)
    base = random_hash(rng)
    near = [flip(base, 10, rng) for _ in range(5)]
    words = feature_words([VpdqFeature(i, h, 90, float(i)) for i, h in enumerate([base, *near])])
    assert distinct_pictures(words, 31, 3) == 1
    assert distinct_pictures(feature_words(KNOWN), 31, 3) == 3
    assert distinct_pictures(feature_words(KNOWN), 31, 100) == 20
