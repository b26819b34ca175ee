from __future__ import annotations

import base64
import io
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from interlink.domain.errors import InvalidSignalError
from interlink.media.synthetic import scene
from interlink.signals import orb, registry
from interlink.signals.base import Family


def _luma(image: Image.Image) -> npt.NDArray[np.uint8]:
    return np.asarray(image.convert("L"))


def _original(seed: int) -> Image.Image:
    return Image.fromarray(scene(480, 640, seed))


def _cropped_turned_framed(image: Image.Image) -> Image.Image:
    """About 15% of the area cropped off-centre, turned 10 degrees, in a 30-pixel border."""
    width, height = image.size
    cropped = image.crop((width // 10, height // 20, width - width // 20, height - height // 10))
    turned = cropped.rotate(10, resample=Image.Resampling.BICUBIC, expand=True)
    framed = Image.new("RGB", (turned.width + 60, turned.height + 60), (250, 250, 250))
    framed.paste(turned, (30, 30))
    return framed


def _turned_halved_jpeg(image: Image.Image) -> Image.Image:
    """Turned 8 degrees, halved and re-encoded at JPEG quality 50."""
    turned = image.rotate(-8, resample=Image.Resampling.BICUBIC)
    small = turned.resize((turned.width // 2, turned.height // 2), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=50)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def test_the_type_is_registered_as_features() -> None:
    signal_type = registry.get(orb.NAME)
    assert signal_type.family is Family.FEATURES
    assert signal_type.threshold == orb.MAX_FEATURES - orb.MIN_INLIERS


def test_a_generated_image_keeps_48_features_in_under_2_kb() -> None:
    features = orb.extract(_luma(_original(1)))
    assert len(features) == orb.MAX_FEATURES
    assert features.descriptors.shape == (48, 32) and features.descriptors.dtype == np.uint8
    value = orb.dumps(features)
    assert value.startswith(orb.PREFIX) and len(value) == len(orb.PREFIX) + 2308
    assert len(base64.urlsafe_b64decode(value[len(orb.PREFIX) :])) == 1 + 48 * 36 == 1729 <= 2048
    assert value == orb.dumps(orb.extract(_luma(_original(1))))  # deterministic


def test_values_round_trip_to_an_eighth_of_a_pixel() -> None:
    features = orb.extract(_luma(_original(2)))
    back = orb.loads(orb.dumps(features))
    assert np.array_equal(back.descriptors, features.descriptors)
    assert np.abs(back.points - features.points).max() <= 1 / 16
    assert orb.validate(" " + orb.dumps(features)) == orb.dumps(features)


@pytest.mark.parametrize("bad", ["", "orb1:", "pdq:abc", "orb1:!!!!", "orb1:AQ=="])
def test_malformed_values_are_refused(bad: str) -> None:
    with pytest.raises(InvalidSignalError):
        orb.loads(bad)


def test_an_image_with_no_corners_has_no_features_and_matches_nothing() -> None:
    flat = np.full((300, 400), 128, np.uint8)
    assert len(orb.extract(flat)) == 0
    assert len(orb.extract(np.zeros((10, 10), np.uint8))) == 0
    empty = orb.dumps(orb.EMPTY)
    assert orb.compare(empty, empty) == orb.MAX_FEATURES


@pytest.mark.parametrize("edit", [_cropped_turned_framed, _turned_halved_jpeg])
def test_edited_copies_match_and_unrelated_images_do_not(
    edit: Callable[[Image.Image], Image.Image],
) -> None:
    originals = [orb.dumps(orb.extract(_luma(_original(seed)))) for seed in range(4)]
    for seed, value in enumerate(originals):
        edited = orb.dumps(orb.extract(_luma(edit(_original(seed))), orb.QUERY_FEATURES))
        assert orb.compare(edited, value) <= orb.THRESHOLD, seed
        for other, unrelated in enumerate(originals):
            if other != seed:
                assert orb.compare(edited, unrelated) > orb.THRESHOLD, (seed, other)
    assert orb.compare(originals[0], originals[0]) < 5


def test_a_mirrored_copy_is_not_recognised() -> None:
    """Known limit: a similarity transform does not mirror (PDQ's dihedral variants do)."""
    image = _original(5)
    mirrored = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    query = orb.extract(_luma(mirrored), orb.QUERY_FEATURES)
    assert orb.score(query, orb.extract(_luma(image))) < orb.MIN_INLIERS


def test_features_are_kept_strongest_of_each_cell_first() -> None:
    cell = orb.FRAME / orb.GRID
    points = np.array(
        [[1, 1], [2, 2], [cell + 1, 1], [3, 3], [cell + 2, 2], [1, cell + 1]], np.float32
    )
    strength = np.array([0.5, 0.9, 0.2, 0.1, 0.3, 0.05])
    order = orb.spread(points, strength, (orb.FRAME, orb.FRAME))
    # Round one: the strongest of each cell by strength; round two; round three.
    assert order.tolist() == [1, 4, 5, 0, 2, 3]


def test_a_large_float_luma_is_framed_to_8_bits_on_its_longest_side() -> None:
    luma = np.linspace(0, 255, 1300 * 1000, dtype=np.float32).reshape(1000, 1300)
    plane = orb.frame(luma)
    assert plane.dtype == np.uint8 and max(plane.shape) == orb.FRAME
    assert plane.shape == (round(1000 * orb.FRAME / 1300), orb.FRAME)
    assert abs(int(plane[0, 0]) - 0) <= 1 and abs(int(plane[-1, -1]) - 255) <= 1
    small = np.full((100, 200), 77.4, np.float32)
    assert np.array_equal(orb.frame(small), np.full((100, 200), 77, np.uint8))


def test_a_float_luma_is_rounded_to_nearest_and_saturated() -> None:
    luma = np.tile(np.array([0.4, 0.5, 1.5, 2.5, 127.6, 254.5, 255.0, 300.0], np.float32), (4, 1))
    assert orb.frame(luma)[0].tolist() == [0, 0, 2, 2, 128, 254, 255, 255]
