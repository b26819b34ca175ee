import io
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from interlink.domain.errors import DecodeError, PixelLimitError
from interlink.media import decode
from interlink.media.synthetic import photo_like, shapes


def _encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def test_recorded_warnings_become_data_and_bomb_warnings_are_dropped() -> None:
    with decode.recorded_warnings() as notes:
        warnings.warn("odd EXIF", UserWarning, stacklevel=1)
        warnings.warn("big", Image.DecompressionBombWarning, stacklevel=1)
    assert notes == ["UserWarning: odd EXIF"]


def test_decoder_errors_are_narrowed() -> None:
    with pytest.raises(DecodeError, match="cannot read it: OSError: broken"):
        with decode.decoder_errors("read it"):
            raise OSError("broken")
    with pytest.raises(PixelLimitError) as caught:
        with decode.decoder_errors("read it", max_pixels=1000):
            raise Image.DecompressionBombError("Image size (400000000 pixels) exceeds limit")
    assert (caught.value.pixels, caught.value.limit) == (400_000_000, 1000)
    with pytest.raises(LookupError):  # not a decoder failure: left alone
        with decode.decoder_errors("read it"):
            raise LookupError("a bug")


def test_only_supported_formats_are_opened() -> None:
    ppm = _encoded(Image.new("RGB", (8, 8)), "PPM")
    with pytest.raises(DecodeError, match="supported format"):
        with decode.open_image(ppm, 10_000):
            pass


def test_unreadable_files_are_not_decode_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        with decode.open_image(tmp_path / "missing.jpg", 10_000):
            pass


def test_declared_size_is_checked_before_decoding() -> None:
    data = _encoded(Image.new("RGB", (300, 200)), "PNG")
    with pytest.raises(PixelLimitError) as caught:
        with decode.open_image(data, 59_999):
            pass
    assert (caught.value.pixels, caught.value.limit) == (60_000, 59_999)


def test_jpeg_is_reduced_and_others_are_not() -> None:
    rgb = photo_like(400, 600, 1)
    with decode.open_image(_encoded(Image.fromarray(rgb), "JPEG"), 10**6) as image:
        assert decode.reduce(image, 4) == 4
        decode.load(image)
        assert image.size == (150, 100)
    with decode.open_image(_encoded(Image.fromarray(rgb), "PNG"), 10**6) as image:
        assert decode.reduce(image, 4) == 1
        decode.load(image)
        assert image.size == (600, 400)


def test_reduced_size_rounds_up() -> None:
    with decode.open_image(_encoded(Image.new("RGB", (1001, 603)), "JPEG"), 10**6) as image:
        assert decode.reduce(image, 8) == 8
        assert image.size == (126, 76)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("RGB", "RGB"), ("L", "L"), ("1", "L"), ("LA", "L"), ("P", "RGB"), ("PA", "RGB"),
     ("RGBA", "RGB"), ("CMYK", "RGB"), ("YCbCr", "RGB"), ("I;16", "L"), ("I", "L"), ("F", "L")],
)  # fmt: skip
def test_every_mode_becomes_rgb_or_grey(mode: str, expected: str) -> None:
    image = Image.fromarray(shapes(20, 30, 2)).convert(mode)
    assert decode.normalise(image).mode == expected


def test_sixteen_bit_samples_are_scaled_not_clipped() -> None:
    levels = np.array([[0, 257, 32896, 65535]], dtype=np.uint16)
    normalised = decode.normalise(Image.fromarray(levels))
    assert np.asarray(normalised).tolist() == [[0, 1, 128, 255]]
    floats = np.array([[-3.0, 12.4, 300.0]], dtype=np.float32)
    assert np.asarray(decode.normalise(Image.fromarray(floats))).tolist() == [[0, 12, 255]]


def test_alpha_is_dropped_not_composited() -> None:
    rgb = shapes(40, 40, 3)
    alpha = np.linspace(0, 255, 40 * 40).reshape(40, 40, 1).astype(np.uint8)
    rgba = Image.fromarray(np.concatenate([rgb, alpha], axis=2))
    np.testing.assert_array_equal(np.asarray(decode.normalise(rgba)), rgb)


def test_luma_is_the_references() -> None:
    rgb = photo_like(50, 70, 4)
    expected = (rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).astype(np.float32)
    np.testing.assert_allclose(decode.luma(Image.fromarray(rgb)), expected, rtol=1e-6)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orientation_is_read_and_applied(orientation: int) -> None:
    raster = Image.fromarray(shapes(30, 50, 5))
    exif = raster.getexif()
    exif[0x0112] = orientation
    with decode.open_image(_encoded(raster, "JPEG", exif=exif), 10**6) as image:
        decode.load(image)
        assert decode.orientation(image) == orientation
        shown = decode.upright(image, orientation)
    assert shown.size == ((30, 50) if orientation >= 5 else (50, 30))


def test_out_of_range_orientation_counts_as_none() -> None:
    raster = Image.new("RGB", (20, 10))
    exif = raster.getexif()
    exif[0x0112] = 9
    with decode.open_image(_encoded(raster, "JPEG", exif=exif), 10**6) as image:
        assert decode.orientation(image) == 1


def test_frames_are_counted() -> None:
    frames = [Image.fromarray(shapes(32, 32, seed)) for seed in range(3)]
    data = _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    with decode.open_image(data, 10**6) as image:
        assert decode.frame_count(image) == 3
    with decode.open_image(_encoded(frames[0], "PNG"), 10**6) as image:
        assert decode.frame_count(image) == 1
