import numpy as np
import pytest

from interlink.media.synthetic import GENERATORS, photo_like


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generators_are_deterministic_rgb_images(name: str) -> None:
    generate = GENERATORS[name]
    image = generate(90, 130, 4)
    assert image.shape == (90, 130, 3)
    assert image.dtype == np.uint8
    np.testing.assert_array_equal(image, generate(90, 130, 4))
    assert not np.array_equal(image, generate(90, 130, 5))
    assert image.std() > 5  # something to hash, not a flat page


@pytest.mark.parametrize("name", list(GENERATORS))
@pytest.mark.parametrize(("height", "width"), [(1, 1), (2, 7), (7, 2)])
def test_generators_draw_tiny_images(name: str, height: int, width: int) -> None:
    assert GENERATORS[name](height, width, 0).shape == (height, width, 3)


def test_lower_roughness_gives_finer_detail() -> None:
    def detail(image: np.ndarray) -> float:
        return float(np.abs(np.diff(image.astype(np.float64), axis=1)).mean())

    assert detail(photo_like(128, 128, 1, roughness=0.7)) > detail(photo_like(128, 128, 1, 1.3))
