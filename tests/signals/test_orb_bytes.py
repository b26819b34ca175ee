from __future__ import annotations

import base64

import numpy as np
import pytest
from PIL import Image

from interlink.media.synthetic import scene
from interlink.signals import orb
from interlink.signals.orb_bytes import PACKED, pack, unpack
from tests.signals.orb_helpers import random_features


def test_a_found_value_packs_to_35_bytes_a_feature_and_back_exactly() -> None:
    features = orb.extract(np.asarray(Image.fromarray(scene(360, 480, 1)).convert("L")))
    value = orb.dumps(features)
    data = pack(value)
    assert len(features) == orb.MAX_FEATURES and data is not None
    assert len(data) == orb.MAX_FEATURES * PACKED == 1680
    assert unpack(data) == value
    assert data[: 32 * 48] == features.descriptors.tobytes()  # descriptors first, as they are


@pytest.mark.parametrize("count", [0, 1, 48, orb.QUERY_FEATURES])
def test_every_feature_count_and_the_frame_s_corners_round_trip(count: int) -> None:
    features = random_features(count, count)
    if count:
        features.points[0] = (0, 0)
        features.points[-1] = (orb.FRAME, orb.FRAME)
    value = orb.dumps(features)
    data = pack(value)
    assert data is not None and len(data) == count * PACKED
    assert unpack(data) == value
    assert orb.loads(unpack(data)).points.tolist() == orb.loads(value).points.tolist()


def test_the_frame_fits_twelve_bits_of_eighths() -> None:
    assert orb.FRAME * 8 < 1 << 12


def test_a_value_that_has_no_packed_form_gives_none() -> None:
    beyond = random_features(3, 1)
    beyond.points[1] = (10, 512)  # 4,096 eighths: 13 bits
    assert pack(orb.dumps(beyond)) is None
    too_many = bytes([orb.QUERY_FEATURES + 1]) + bytes((orb.QUERY_FEATURES + 1) * orb.RECORD)
    for value in (
        "A" * 2313,
        "orb1:!!!",
        "orb1:",
        orb.PREFIX + base64.urlsafe_b64encode(bytes([2]) + bytes(36)).decode(),  # too short
        orb.PREFIX + base64.urlsafe_b64encode(too_many).decode(),
        "orb1:\u00e9",
    ):
        assert pack(value) is None, value


def test_a_value_is_normalised_as_validate_does() -> None:
    value = orb.dumps(random_features(5, 2))
    assert pack(f"  {value}\n") == pack(value)
    data = pack(f"  {value}\n")
    assert data is not None and unpack(data) == orb.validate(value)


@pytest.mark.parametrize("size", [1, 34, 36, PACKED * (orb.QUERY_FEATURES + 1)])
def test_bytes_that_are_not_a_packed_value_are_refused(size: int) -> None:
    with pytest.raises(ValueError, match="not a stored ORB value"):
        unpack(bytes(size))
