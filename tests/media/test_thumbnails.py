import io

import numpy as np
from PIL import Image

from interlink.media.thumbnails import make_thumbnail, wellness_jpeg, wellness_view


def _checkerboard(size: int = 400) -> Image.Image:
    cells = (np.indices((size, size)) // 20).sum(axis=0) % 2
    rgb = np.stack([cells * 255, cells * 40, (1 - cells) * 200], axis=-1).astype(np.uint8)
    return Image.fromarray(rgb)


def test_thumbnail_is_small_jpeg() -> None:
    data = make_thumbnail(_checkerboard(), size=128)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 128


def test_wellness_view_is_grey_and_blurred() -> None:
    original = _checkerboard()
    view = wellness_view(original)
    assert view.mode == "L"
    sharp = np.asarray(original.convert("L"), dtype=np.float64)
    blurred = np.asarray(view, dtype=np.float64)
    # The checkerboard's edges carry almost all its detail; the blur must wipe them out.
    assert np.abs(np.diff(blurred, axis=1)).mean() < 0.1 * np.abs(np.diff(sharp, axis=1)).mean()
    with Image.open(io.BytesIO(wellness_jpeg(make_thumbnail(original)))) as image:
        assert image.mode == "L"
