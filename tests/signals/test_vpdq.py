import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlink.domain.errors import InvalidSignalError
from interlink.signals import registry, vpdq
from interlink.signals.base import Family
from interlink.signals.vpdq import VpdqFeature, feature, match_videos
from tests.signals.pdq_helpers import flip, random_hash


def _video(n: int, seed: int, quality: int = 100) -> tuple[VpdqFeature, ...]:
    rng = random.Random(seed)
    return tuple(VpdqFeature(i, random_hash(rng), quality, float(i)) for i in range(n))


features_strategy = st.lists(
    st.builds(
        VpdqFeature,
        frame=st.integers(0, 10**6),
        pdq=st.integers(0, 2**256 - 1).map(lambda v: f"{v:064x}"),
        quality=st.integers(0, 100),
        timestamp=st.integers(0, 10**7).map(lambda ms: ms / 1000),
    ),
    min_size=1,
    max_size=20,
)


@given(features_strategy)
def test_canonical_text_round_trips(features: list[VpdqFeature]) -> None:
    text = vpdq.dumps(features)
    assert vpdq.loads(text) == tuple(features)
    assert vpdq.validate(text) == text
    assert vpdq.validate(vpdq.to_threatexchange(features)).count("\n") == len(features) - 1


def test_meta_file_lines_and_threatexchange_json_are_read() -> None:
    pdq = "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c"
    meta = f"0,100,{pdq},0\n1,97,{pdq.upper()},0.0319\n"
    assert vpdq.loads(meta) == (
        VpdqFeature(0, pdq, 100, 0.0),
        VpdqFeature(1, pdq, 97, 0.032),
    )
    hma = json.dumps([f"{pdq},100,0.0", f"{pdq},80,1.23e+03"])
    assert vpdq.loads(hma)[1] == VpdqFeature(1, pdq, 80, 1230.0)
    old = json.dumps({"3": {"quality": 90, "hash": pdq, "timestamp": 0.1}})
    assert vpdq.loads(old) == (VpdqFeature(3, pdq, 90, 0.1),)
    assert vpdq.validate(meta) == f"0,100,{pdq},0.000\n1,97,{pdq},0.032"


@pytest.mark.parametrize(
    "bad",
    ["", "0,100,abc,0", "x,100," + "0" * 64 + ",0", "0,101," + "0" * 64 + ",0", "[1, 2]", "7"],
)
def test_bad_values_are_refused(bad: str) -> None:
    with pytest.raises(InvalidSignalError):
        vpdq.validate(bad)


def test_feature_refuses_negative_time_and_frame() -> None:
    with pytest.raises(InvalidSignalError):
        feature(0, "0" * 64, 50, -1.0)
    with pytest.raises(InvalidSignalError):
        VpdqFeature(-1, "0" * 64, 50, 0.0)


def test_rows_become_features() -> None:
    pdq = "ab" * 32
    rows = [(None, 2.0, pdq.upper(), None), (30, None, pdq, 40)]
    assert vpdq.features_from_rows(rows, fps=30.0) == (
        VpdqFeature(30, pdq, 40, 1.0),
        VpdqFeature(60, pdq, 100, 2.0),
    )
    assert vpdq.features_from_rows([(None, None, pdq, 70)]) == (VpdqFeature(0, pdq, 70, 0.0),)


def test_registered_as_frames_family() -> None:
    signal_type = registry.get("vpdq")
    assert signal_type.family is Family.FRAMES
    assert signal_type.threshold == 20


def test_identical_videos_match_fully() -> None:
    video = _video(30, 1)
    assert match_videos(video, video) == vpdq.VideoMatch(100.0, 100.0, True)
    text = vpdq.dumps(video)
    assert vpdq.compare(text, text) == 0


def test_near_frames_match_and_far_frames_do_not() -> None:
    rng = random.Random(7)
    known = _video(10, 2)
    near = tuple(VpdqFeature(f.frame, flip(f.pdq, 31, rng), 100, f.timestamp) for f in known)
    far = tuple(VpdqFeature(f.frame, flip(f.pdq, 32, rng), 100, f.timestamp) for f in known)
    assert match_videos(near, known).known_pct == 100.0
    assert match_videos(far, known) == vpdq.VideoMatch(0.0, 0.0, False)


def test_known_video_inside_longer_query_matches_by_default() -> None:
    known = _video(10, 3)
    padding = _video(30, 4)
    query = padding[:15] + known + padding[15:]
    result = match_videos(query, known)
    assert result.known_pct == 100.0
    assert result.query_pct == pytest.approx(25.0)
    assert result.matched
    # The stricter rule python-threatexchange's index applies (query >= 80%) refuses it.
    assert not match_videos(query, known, query_pct=80.0, known_pct=0.0).matched
    assert vpdq.compare(vpdq.dumps(query), vpdq.dumps(known)) == 0
    assert vpdq.compare(vpdq.dumps(known), vpdq.dumps(query)) == 75


def test_duplicates_and_low_quality_frames_are_ignored() -> None:
    known = _video(4, 5)
    repeated = known + tuple(
        VpdqFeature(f.frame + 10, f.pdq, f.quality, f.timestamp + 10) for f in known
    )
    assert vpdq.usable(repeated) == known
    flat = _video(6, 6, quality=49)
    result = match_videos(known + flat, known)
    assert result.query_pct == 100.0
    assert match_videos(flat, flat) == vpdq.VideoMatch(0.0, 0.0, False)
    assert match_videos(flat, flat, quality=0).matched


def test_pairs_within_handles_blocks() -> None:
    rng = random.Random(9)
    a = [random_hash(rng) for _ in range(50)]
    b = [a[10], flip(a[20], 5, rng), random_hash(rng)]
    ii, jj, dd = vpdq.pairs_within(vpdq.hash_words(a), vpdq.hash_words(b), 31)
    assert list(zip(ii.tolist(), jj.tolist(), dd.tolist(), strict=True)) == [(10, 0, 0), (20, 1, 5)]
