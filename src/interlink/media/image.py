"""Safe image decoding: dimensions, PDQ with its dihedral variants, and a thumbnail."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from interlink.domain.errors import DecodeError, PixelLimitError
from interlink.media.thumbnails import THUMBNAIL_SIZE, make_thumbnail
from interlink.signals.pdq import PdqHash, hash_rgb

#: Images declaring more pixels than this are refused before decoding (decompression bombs).
DEFAULT_MAX_PIXELS = 200_000_000


@dataclass(frozen=True, slots=True)
class ImageAnalysis:
    """What one image yields: its size, its PDQ and a clear thumbnail (shown only blurred)."""

    width: int
    height: int
    format: str
    pdq: PdqHash
    thumbnail: bytes


def analyse_image(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, thumbnail_size: int = THUMBNAIL_SIZE
) -> ImageAnalysis:
    """Decode ``data`` and hash it; raise ``PixelLimitError`` for a bomb, ``DecodeError`` else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise PixelLimitError(width * height, max_pixels)
                fmt = image.format or ""
                image.draft("RGB", (width, height))
                rgb = image.convert("RGB")
                rgb.load()
    except PixelLimitError:
        raise
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        raise PixelLimitError(int(found.group(1)) if found else max_pixels + 1, max_pixels) from exc
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
    ) as exc:
        raise DecodeError(f"cannot decode image: {exc}") from exc
    return ImageAnalysis(
        width, height, fmt, hash_rgb(np.asarray(rgb)), make_thumbnail(rgb, thumbnail_size)
    )
