"""Safe image decoding: formats known from content, a pixel limit checked before any pixel is
decoded, decoder failures as narrow errors and decoder complaints as data.

Only the formats in ``FORMATS`` are tried, whatever the file is called: Pillow's other plugins
(EPS through Ghostscript, say) are never reached with evidence.
"""

from __future__ import annotations

import io
import os
import re
import struct
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import IO

import numpy as np
import numpy.typing as npt
import pillow_heif
from PIL import Image, UnidentifiedImageError

from interlink.domain.errors import DecodeError, PixelLimitError

pillow_heif.register_heif_opener()

#: Pillow format names tried on evidence, with the MIME type of each (Pillow's JPEG reader names
#: a JPEG with further pictures after the first, for depth or stereo, ``MPO``).
FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
    "HEIF": "image/heic",
    "AVIF": "image/avif",
}
MIME_TYPES: dict[str, str] = {**FORMATS, "MPO": "image/jpeg"}
#: Formats Pillow can decode at 1/2, 1/4 or 1/8 of their size (JPEG DCT scaling).
REDUCIBLE = frozenset({"JPEG", "MPO"})
#: Default pixel limit: above the largest common camera sensors (108 MP), below Pillow's own
#: hard limit, and small enough that a full decode fits a worker's memory.
DEFAULT_MAX_PIXELS = 120_000_000

#: What can be decoded: the bytes themselves, a path, or a binary stream positioned at the start.
ImageSource = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes]

# Exceptions Pillow and its plugins raise on malformed input (TIFF raises TypeError for missing
# dimensions; pillow-heif RuntimeError for what libheif refuses).
_DECODER_FAILURES = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
    ZeroDivisionError,
    RuntimeError,
)
_BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ORIENTATION_TAG = 0x0112


@contextmanager
def recorded_warnings() -> Iterator[list[str]]:
    """Collect the warnings raised inside the block as text instead of emitting them.

    Pillow's decompression-bomb warning is dropped: the pixel limit is ours to enforce. Like
    ``warnings.catch_warnings``, this is not thread-safe; decode in processes, not threads.
    """
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield notes
    notes.extend(
        f"{item.category.__name__}: {item.message}"
        for item in caught
        if not issubclass(item.category, Image.DecompressionBombWarning)
    )


@contextmanager
def decoder_errors(what: str, max_pixels: int = DEFAULT_MAX_PIXELS) -> Iterator[None]:
    """Turn what Pillow raises on malformed input inside the block into ``DecodeError``, and its
    decompression-bomb refusal into ``PixelLimitError`` (Pillow refuses more than twice its
    ``MAX_IMAGE_PIXELS``, which caps ``max_pixels``)."""
    try:
        yield
    except Image.DecompressionBombError as error:
        hard_limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
        found = _BOMB_PIXELS.search(str(error))
        pixels = int(found.group(1)) if found else hard_limit + 1
        raise PixelLimitError(pixels, min(max_pixels, hard_limit)) from error
    except UnidentifiedImageError as error:
        accepted = ", ".join(FORMATS)
        reason = f"not an image in a supported format ({accepted})"
        raise DecodeError(f"cannot {what}: {reason}") from error
    except _DECODER_FAILURES as error:
        raise DecodeError(f"cannot {what}: {type(error).__name__}: {error}") from error


@contextmanager
def open_image(source: ImageSource, max_pixels: int) -> Iterator[Image.Image]:
    """The image in ``source``, identified from its content and not yet decoded; raise
    ``DecodeError`` if it is none of ``FORMATS`` and ``PixelLimitError`` if it declares more
    than ``max_pixels`` pixels. A stream given is read, never closed; a file that cannot be
    read raises ``OSError`` as ``open`` does (that is no fault of the image)."""
    with ExitStack() as stack:
        stream: IO[bytes]
        if isinstance(source, bytes | bytearray | memoryview):
            stream = io.BytesIO(source)
        elif isinstance(source, str | os.PathLike):
            stream = stack.enter_context(open(source, "rb"))
        else:
            stream = source
        with decoder_errors("identify the image", max_pixels):
            image = stack.enter_context(Image.open(stream, formats=tuple(FORMATS)))
        pixels = image.width * image.height
        if pixels > max_pixels:
            raise PixelLimitError(pixels, max_pixels)
        yield image


def rewindable(source: ImageSource) -> ImageSource:
    """``source`` in a form that can be opened more than once: a stream that cannot seek is read
    into memory (Pillow reads every stream from its start)."""
    if isinstance(source, io.IOBase) and not source.seekable():
        data: bytes = source.read()
        return data
    return source


def frame_count(image: Image.Image) -> int:
    """Frames (or pages) in an opened image; 1 for a still image."""
    with decoder_errors("count the frames"):
        return int(getattr(image, "n_frames", 1))


def reduce(image: Image.Image, scale: int) -> int:
    """Ask the decoder of an opened, not yet decoded image to decode it at ``1/scale`` of its
    size (JPEG only; others stay whole) and return the factor it will use."""
    width, height = image.size
    if scale == 1 or image.format not in REDUCIBLE:
        return 1
    with decoder_errors("set up a reduced decode"):
        image.draft(image.mode, (width // scale, height // scale))
    for factor in (scale, 8, 4, 2, 1):
        if image.size == (-(-width // factor), -(-height // factor)):
            return factor
    raise DecodeError(f"reduced decode of a {width}x{height} image gave {image.size}")


def load(image: Image.Image, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
    """Decode the pixels of the current (first) frame."""
    with decoder_errors(f"decode the {image.format} image", max_pixels):
        image.load()


def orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8) still to be applied to show a decoded image upright; 1 when
    there is none or the decoder applied it already (HEIF, and TIFF in Pillow)."""
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except _DECODER_FAILURES as error:
        warnings.warn(f"unreadable EXIF: {error}", UserWarning, stacklevel=2)
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def upright(image: Image.Image, orientation: int) -> Image.Image:
    """``image`` turned and mirrored as EXIF ``orientation`` says it is meant to be shown."""
    method = _TRANSPOSE.get(orientation)
    return image if method is None else image.transpose(method)


def normalise(image: Image.Image) -> Image.Image:
    """A decoded image in mode ``RGB`` or ``L``, as PDQ and thumbnails take it.

    Alpha is dropped, not composited (as HMA and the reference do); palettes and CMYK become
    colours; 16-bit samples are scaled to 8 bits and float samples clipped to 0-255.
    Raise ``DecodeError`` for a mode that has no such conversion.
    """
    mode = image.mode
    if mode in ("RGB", "L"):
        return image
    if mode == "1":
        return image.convert("L")
    if mode in ("LA", "La"):
        return image.getchannel(0)
    if mode == "I" or mode.startswith("I;16"):
        return _eight_bit(np.asarray(image, dtype=np.float64) / 257.0)
    if mode == "F":
        return _eight_bit(np.asarray(image, dtype=np.float64))
    with decoder_errors(f"convert {mode} pixels to RGB"):
        return image.convert("RGB")


def _eight_bit(values: npt.NDArray[np.float64]) -> Image.Image:
    return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8))


def luma(image: Image.Image) -> npt.NDArray[np.float32]:
    """The PDQ luma (0.299 R + 0.587 G + 0.114 B) of an ``RGB`` or ``L`` image."""
    return np.asarray(image.convert("F"), dtype=np.float32)
