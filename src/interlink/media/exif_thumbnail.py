"""The thumbnail a camera or editor embeds in EXIF (IFD1), compared with the main image.

Editors often rewrite the main image but keep the old thumbnail, so a thumbnail that shows
something else (a different picture, or a wider crop) is a sign of an edit and may still show
the uncropped original.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from interlink.signals.pdq import THRESHOLD, hash_rgb

#: Largest thumbnail decoded (pixels); real ones are about 160 x 120.
MAX_THUMBNAIL_PIXELS = 1 << 20
#: Aspect ratios within this relative difference are the same shape.
ASPECT_TOLERANCE = 0.04
#: Border pixels darker than this are letterbox bars, trimmed before comparing.
_BAR_LEVEL = 24


@dataclass(frozen=True, slots=True)
class EmbeddedThumbnail:
    """An embedded EXIF thumbnail: its SHA-256, size, PDQ and quality (``None`` when it
    does not decode), its PDQ distance to the main image (when both are known), and whether
    it ``differs`` from the main image, with the ``reason``."""

    sha256: str
    width: int
    height: int
    pdq: str | None
    quality: int | None
    distance: int | None
    differs: bool
    reason: str = ""


def _trim_bars(image: Image.Image) -> Image.Image:
    """``image`` without the black bars cameras add to fit a 4:3 thumbnail."""
    mask = image.convert("L").point(lambda v: 255 if v > _BAR_LEVEL else 0)
    box = mask.getbbox()
    return image.crop(box) if box else image


def examine_thumbnail(
    data: bytes, main_size: tuple[int, int], main_pdq: str | None, threshold: int = THRESHOLD
) -> EmbeddedThumbnail:
    """Hash the thumbnail JPEG ``data`` and compare it with the main image (its size, and its
    PDQ when given): it differs when the PDQ distance is over ``threshold`` or the shapes
    (letterbox bars trimmed) disagree."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_THUMBNAIL_PIXELS:
                return EmbeddedThumbnail(digest, width, height, None, None, None, False, "too big")
            content = _trim_bars(image.convert("RGB"))
    except (OSError, ValueError, SyntaxError) as exc:
        return EmbeddedThumbnail(digest, 0, 0, None, None, None, False, f"undecodable: {exc}")
    pdq = hash_rgb(np.asarray(content, dtype=np.uint8))
    reasons = []
    distance = None
    if main_pdq is not None:
        distance = (int(main_pdq, 16) ^ int(pdq.value, 16)).bit_count()
        if distance > threshold:
            reasons.append(f"PDQ distance {distance} from the main image")
    main_w, main_h = main_size
    if main_w and main_h and content.height:
        ratio = (content.width / content.height) / (main_w / main_h)
        if abs(ratio - 1) > ASPECT_TOLERANCE:
            reasons.append(
                f"shape {content.width}x{content.height} unlike the main {main_w}x{main_h}"
            )
    return EmbeddedThumbnail(
        digest, width, height, pdq.value, pdq.quality, distance, bool(reasons), "; ".join(reasons)
    )
