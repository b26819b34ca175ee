import io
import struct
import zlib
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from interlink.domain.errors import DecodeError, MediaError, PixelLimitError
from interlink.media.image import DEFAULT_MAX_PIXELS, ImageAnalysis, analyse_image
from interlink.media.synthetic import GENERATORS, photo_like, shapes, text_like
from interlink.signals import pdq_pipeline
from interlink.signals.pdq import (
    DIHEDRAL_NAMES,
    MIN_QUALITY,
    ORIENTATION_VARIANTS,
    compare,
    hash_rgb,
    reference_hash,
)

RgbArray = npt.NDArray[np.uint8]
#: The promise of the fast path: within this many bits of the reference...
AGREEMENT_BITS = 8
#: ... for at least this share of the images of quality >= 50.
AGREEMENT_SHARE = 0.99


def _encoded(image: Image.Image | RgbArray, fmt: str, **options: object) -> bytes:
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _reference(data: bytes) -> str:
    """Meta's reference on HMA's path: a full decode by Pillow, then pdqhash."""
    with Image.open(io.BytesIO(data)) as image:
        return reference_hash(np.asarray(image.convert("RGB"))).value


@pytest.mark.parametrize(
    ("fmt", "name", "mime"),
    [("JPEG", "JPEG", "image/jpeg"), ("PNG", "PNG", "image/png"), ("GIF", "GIF", "image/gif"),
     ("WEBP", "WEBP", "image/webp"), ("BMP", "BMP", "image/bmp"), ("TIFF", "TIFF", "image/tiff"),
     ("HEIF", "HEIF", "image/heic"), ("AVIF", "AVIF", "image/avif")],
)  # fmt: skip
def test_every_format_is_analysed(fmt: str, name: str, mime: str) -> None:
    data = _encoded(photo_like(120, 160, 1), fmt)
    analysis = analyse_image(data)
    assert (analysis.format, analysis.mime) == (name, mime)
    assert (analysis.width, analysis.height, analysis.frames) == (160, 120, 1)
    assert analysis.scale == 1
    assert analysis.pdq.value == _reference(data)
    assert len(analysis.pdq.dihedral) == len(DIHEDRAL_NAMES)
    assert analysis.pdq.quality >= MIN_QUALITY
    assert analysis.warnings == ()


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [("JPEG", "CMYK"), ("JPEG", "L"), ("PNG", "P"), ("PNG", "RGBA"), ("PNG", "LA"), ("PNG", "1"),
     ("GIF", "P"), ("TIFF", "CMYK"), ("BMP", "P")],
)  # fmt: skip
def test_stored_modes_hash_their_colours(fmt: str, mode: str) -> None:
    data = _encoded(Image.fromarray(shapes(100, 140, 2)).convert(mode), fmt)
    analysis = analyse_image(data)
    assert analysis.mode == mode
    assert analysis.pdq.value == _reference(data)


def test_sixteen_bit_grey_hashes_like_its_eight_bit_version() -> None:
    grey = photo_like(120, 160, 3)[..., 0]
    deep = Image.fromarray(grey.astype(np.uint16) * 257)
    analysis = analyse_image(_encoded(deep, "PNG"))
    assert analysis.mode.startswith("I")
    assert analysis.pdq.value == hash_rgb(np.repeat(grey[..., None], 3, axis=2)).value


def test_transparency_does_not_change_the_hash() -> None:
    rgb = shapes(100, 100, 4)
    opaque = np.full((100, 100, 1), 255, dtype=np.uint8)
    see_through = np.zeros((100, 100, 1), dtype=np.uint8)
    hashes = {
        analyse_image(_encoded(np.concatenate([rgb, alpha], axis=2), "PNG")).pdq.value
        for alpha in (opaque, see_through)
    }
    assert hashes == {hash_rgb(rgb).value}


def test_first_frame_of_animations_is_hashed() -> None:
    frames = [Image.fromarray(text_like(96, 128, seed)) for seed in range(4)]
    for fmt in ("GIF", "WEBP", "PNG"):
        data = _encoded(frames[0], fmt, save_all=True, append_images=frames[1:], lossless=True)
        analysis = analyse_image(data)
        assert analysis.frames == 4
        first = hash_rgb(np.asarray(frames[0]))
        assert compare(analysis.pdq.value, first.value) <= AGREEMENT_BITS


def test_multi_picture_jpeg_is_a_jpeg_hashed_from_its_first_picture() -> None:
    first, second = (Image.fromarray(photo_like(700, 900, seed)) for seed in (13, 14))
    data = _encoded(first, "MPO", save_all=True, append_images=[second])
    analysis = analyse_image(data)
    assert (analysis.format, analysis.mime, analysis.frames) == ("MPO", "image/jpeg", 2)
    assert analysis.scale == 2
    assert compare(analysis.pdq.value, _reference(data)) <= AGREEMENT_BITS


@pytest.mark.parametrize("orientation", range(1, 9))
def test_hash_is_of_the_stored_pixels_and_thumbnail_is_upright(orientation: int) -> None:
    raster = photo_like(240, 320, 5)
    exif = Image.new("RGB", (1, 1)).getexif()
    exif[0x0112] = orientation
    data = _encoded(raster, "JPEG", exif=exif, quality=95)
    analysis = analyse_image(data)
    assert analysis.orientation == orientation
    assert analysis.pdq.value == _reference(data)
    with Image.open(io.BytesIO(analysis.thumbnail)) as thumbnail:
        assert thumbnail.size == ((192, 256) if orientation >= 5 else (256, 192))
        shown = hash_rgb(np.asarray(thumbnail.convert("RGB")))
    distances = {
        n: compare(shown.value, v)
        for n, v in zip(DIHEDRAL_NAMES, analysis.pdq.dihedral, strict=True)
    }
    assert min(distances, key=distances.__getitem__) == ORIENTATION_VARIANTS[orientation]


@cache
def _large_photo() -> Image.Image:
    return Image.fromarray(photo_like(1100, 1400, 6, roughness=0.8))


@pytest.mark.parametrize(
    ("mode", "options"),
    [("RGB", {}), ("RGB", {"progressive": True}), ("RGB", {"subsampling": 0}),
     ("RGB", {"subsampling": 1}), ("L", {}), ("CMYK", {})],
)  # fmt: skip
def test_large_jpeg_is_hashed_from_a_reduced_decode(mode: str, options: dict[str, object]) -> None:
    data = _encoded(_large_photo().convert(mode), "JPEG", quality=90, **options)
    analysis = analyse_image(data)
    assert analysis.scale == pdq_pipeline.max_scale(1100, 1400) == 2
    assert (analysis.width, analysis.height, analysis.mode) == (1400, 1100, mode)
    assert compare(analysis.pdq.value, _reference(data)) <= AGREEMENT_BITS
    with Image.open(io.BytesIO(analysis.thumbnail)) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (256, 201))


def test_thumbnail_size_is_honoured_and_zero_means_none() -> None:
    data = _encoded(photo_like(900, 1300, 7), "JPEG")
    with Image.open(io.BytesIO(analyse_image(data, thumbnail_size=600).thumbnail)) as big:
        assert max(big.size) == 600
    assert analyse_image(data, thumbnail_size=0).thumbnail == b""


def test_bytes_paths_and_streams_agree(tmp_path: Path) -> None:
    data = _encoded(photo_like(200, 300, 8), "PNG")
    path = tmp_path / "no-extension"
    path.write_bytes(data)
    stream = io.BytesIO(data)
    results: list[ImageAnalysis] = [
        analyse_image(data),
        analyse_image(bytearray(data)),
        analyse_image(memoryview(data)),
        analyse_image(path),
        analyse_image(str(path)),
        analyse_image(stream),
    ]
    assert all(result == results[0] for result in results)
    assert not stream.closed
    assert path.read_bytes() == data


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width x height`` pixels but holds almost no data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [11_000, 20_000, 100_000])
def test_decompression_bombs_are_refused_before_decoding(side: int) -> None:
    with pytest.raises(PixelLimitError) as caught:
        analyse_image(_png_header(side, side))
    assert caught.value.pixels == side * side
    assert caught.value.limit <= DEFAULT_MAX_PIXELS


def test_pixel_limit_is_configurable() -> None:
    data = _encoded(photo_like(100, 100, 9), "JPEG")
    with pytest.raises(PixelLimitError):
        analyse_image(data, max_pixels=9_999)
    assert analyse_image(data, max_pixels=10_000).width == 100


@cache
def _bad_inputs() -> dict[str, bytes]:
    rgb = photo_like(120, 160, 10)
    jpeg, png = _encoded(rgb, "JPEG"), _encoded(rgb, "PNG")
    return {
        "empty": b"",
        "text": b"just some words, not an image\n" * 4,
        "postscript": b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
        "jpeg header only": jpeg[:20],
        "jpeg truncated": jpeg[: len(jpeg) // 2],
        "png truncated": png[: len(png) // 2],
        "png scrambled": png[:100] + b"\xff" * 50 + png[150:],
        **{
            f"{fmt.lower()} truncated": _encoded(rgb, fmt)[: len(_encoded(rgb, fmt)) // 2]
            for fmt in ("GIF", "WEBP", "BMP", "TIFF", "HEIF", "AVIF")
        },
    }


@pytest.mark.parametrize("name", list(_bad_inputs()))
def test_bad_input_raises_decode_error(name: str) -> None:
    with pytest.raises(DecodeError):
        analyse_image(_bad_inputs()[name])


def test_decoder_complaints_are_kept_as_warnings() -> None:
    jpeg = _encoded(photo_like(120, 160, 11), "JPEG")
    broken_exif = b"Exif\x00\x00II*\x00\x08\x00\x00\x00\xff\xff" + bytes(20)
    segment = b"\xff\xe1" + struct.pack(">H", len(broken_exif) + 2) + broken_exif
    analysis = analyse_image(jpeg[:2] + segment + jpeg[2:])
    assert analysis.pdq.value == analyse_image(jpeg).pdq.value
    assert any("EXIF" in note for note in analysis.warnings)


_SEEDS = {fmt: _encoded(shapes(48, 64, 12), fmt) for fmt in ("JPEG", "PNG", "GIF", "WEBP", "BMP")}


# Derandomised so the suite is reproducible; larger random runs are done by hand.
@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    fmt=st.sampled_from(sorted(_SEEDS)),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    cut=st.floats(0.05, 1),
)
def test_mangled_files_never_raise_anything_but_media_errors(
    fmt: str, edits: list[tuple[float, int]], cut: float
) -> None:
    data = bytearray(_SEEDS[fmt])
    for where, value in edits:
        data[int(where * len(data))] = value
    try:
        analysis = analyse_image(bytes(data[: max(1, int(cut * len(data)))]))
    except MediaError:
        return
    assert analysis.width * analysis.height > 0


def _agreement_set() -> list[bytes]:
    """JPEGs big enough for a 1/2 decode at the tightest filter window it is allowed with (six
    pixels, three blocks): most photo-like at several roughnesses, the rest from the other
    generators (gradients and pure textures among them, which take the full decode)."""
    kinds = ["photo_like"] * 6 + ["shapes", "text_like", "gradient", "texture"]
    images = []
    for seed in range(110):
        height, width = 650 + (seed % 7) * 9, 780 + (seed % 11) * 13
        kind = kinds[seed % len(kinds)]
        if kind == "photo_like":
            rgb = photo_like(height, width, seed, roughness=0.7 + (seed % 5) * 0.15)
        else:
            rgb = GENERATORS[kind](height, width, seed)
        images.append(_encoded(rgb, "JPEG", quality=70 + seed % 30))
    return images


@pytest.mark.slow
def test_fast_path_agrees_with_the_reference() -> None:
    distances, scales = [], []
    for data in _agreement_set():
        analysis = analyse_image(data, thumbnail_size=0)
        scales.append(analysis.scale)
        with Image.open(io.BytesIO(data)) as image:
            reference = reference_hash(np.asarray(image.convert("RGB")))
        if reference.quality >= MIN_QUALITY:
            distances.append(compare(analysis.pdq.value, reference.value))
    assert scales.count(2) >= 0.7 * len(scales)
    assert len(distances) >= 100
    within = sum(distance <= AGREEMENT_BITS for distance in distances) / len(distances)
    assert within >= AGREEMENT_SHARE


def test_hashes_resting_on_rounding_noise_take_the_full_decode() -> None:
    # A smooth gradient's DCT coefficients crowd its median: 8-bit rounding in the decoder
    # decides its bits, so only the full decode gives the reference's.
    data = _encoded(GENERATORS["gradient"](700, 900, 3), "JPEG", quality=90)
    analysis = analyse_image(data)
    assert analysis.scale == 1
    assert analysis.pdq.value == _reference(data)
    with Image.open(io.BytesIO(analysis.thumbnail)) as thumbnail:
        assert thumbnail.size == (256, 199)


@pytest.mark.slow
@pytest.mark.parametrize(("height", "width", "scale"), [(1600, 2000, 4), (3100, 3300, 8)])
def test_coarser_reductions_agree_with_the_reference(height: int, width: int, scale: int) -> None:
    for seed, generator in enumerate((text_like, shapes)):
        data = _encoded(generator(height, width, seed), "JPEG", quality=85)
        analysis = analyse_image(data, thumbnail_size=0)
        assert analysis.scale == scale
        assert compare(analysis.pdq.value, _reference(data)) <= AGREEMENT_BITS
