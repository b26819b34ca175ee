"""Thumbnails for review: small, and shown blurred and greyscale by default (wellness).

A clear thumbnail is kept only to be revealed by an explicit, audited action; every view shows
``wellness_view`` of it first.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFilter

#: Longest side of a stored thumbnail, in pixels.
THUMBNAIL_SIZE = 256
#: Gaussian blur radius of the default view, relative to the longest side.
BLUR_FRACTION = 0.06


def make_thumbnail(image: Image.Image, size: int = THUMBNAIL_SIZE) -> bytes:
    """A JPEG thumbnail of ``image`` whose longest side is at most ``size`` pixels."""
    thumb = image.convert("RGB")
    thumb.thumbnail((size, size), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    thumb.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def wellness_view(image: Image.Image) -> Image.Image:
    """``image`` in greyscale and blurred so that no detail can be made out."""
    grey = image.convert("L")
    radius = max(2.0, BLUR_FRACTION * max(grey.size))
    return grey.filter(ImageFilter.GaussianBlur(radius))


def wellness_jpeg(thumbnail: bytes) -> bytes:
    """The blurred greyscale JPEG of a stored thumbnail."""
    with Image.open(io.BytesIO(thumbnail)) as image:
        view = wellness_view(image)
    buffer = io.BytesIO()
    view.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()
