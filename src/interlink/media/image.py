"""Analyse one image: what it is, its size, its PDQ hash and a thumbnail, from one decode.

JPEGs are decoded at 1/2, 1/4 or 1/8 of their size when the PDQ filter is wide enough for the
hash to stay within a few bits of the full-resolution one (``pdq_pipeline.max_scale``); the
thumbnail comes from the same reduced pixels. A JPEG whose hash turns out to rest on rounding
noise (``pdq.hash_reduced``) is decoded again, whole, for its hash. Other formats are decoded
whole.

PDQ is taken of the pixels as the decoder delivers them, before any EXIF orientation is applied,
as Meta's HMA does; a copy shown upright (or rotated, or mirrored) matches through the hash's
dihedral variants, and ``PdqHash.variant(ORIENTATION_VARIANTS[orientation])`` is the hash of the
image as shown. The thumbnail is upright.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from interlink.media import decode
from interlink.media.decode import DEFAULT_MAX_PIXELS, ImageSource
from interlink.media.thumbnails import THUMBNAIL_SIZE, make_thumbnail
from interlink.signals import orb, pdq_pipeline
from interlink.signals.pdq import PdqHash, hash_luma, hash_reduced

__all__ = ["DEFAULT_MAX_PIXELS", "ImageAnalysis", "ImageSource", "analyse_image"]


@dataclass(frozen=True, slots=True)
class ImageAnalysis:
    """What one decode of an image tells.

    ``width`` and ``height`` are those of the decoded pixels (before EXIF orientation);
    ``mode`` is Pillow's name for how they are stored (``RGB``, ``P``, ``CMYK``, ``I;16``, ...);
    ``frames`` counts frames or pages (the first is the one analysed); ``orientation`` is the
    EXIF orientation (1-8) still to apply to show the image upright; ``scale`` is the reduction
    of the decode the hash came from (1 = full size); ``thumbnail`` is a clear, upright JPEG
    (empty if none was asked for); ``warnings`` are the decoder's complaints about an image it
    could still decode; ``orb`` is the ORB signal value (``signals.orb``, stored) when it was
    asked for, and ``orb_query`` the larger set of features a query matches with.
    """

    format: str
    mime: str
    width: int
    height: int
    mode: str
    frames: int
    orientation: int
    pdq: PdqHash
    thumbnail: bytes
    scale: int
    warnings: tuple[str, ...] = ()
    orb: str | None = None
    orb_query: str | None = None


def analyse_image(
    source: ImageSource,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    thumbnail_size: int = THUMBNAIL_SIZE,
    robust: bool = False,
) -> ImageAnalysis:
    """Analyse the first frame of the image in ``source``: its bytes, a path (opened read-only)
    or a binary stream (read from its start, not closed); a path or stream spares holding a
    large file in memory.

    ``thumbnail`` is a clear, upright JPEG whose longest side is at most ``thumbnail_size``
    (empty when ``thumbnail_size`` is 0); it must only be shown through the wellness view.
    Raise ``PixelLimitError`` if the image declares more than ``max_pixels`` pixels (checked
    before decoding), ``DecodeError`` if it is corrupt, truncated or of a format or variant
    that is not supported, and ``OSError`` if a path cannot be read.

    With ``robust``, the ORB features (``signals.orb``) are found in the same decoded luma
    (reduced or not: they are taken at ``orb.FRAME`` pixels either way).
    """
    source = decode.rewindable(source)
    with decode.recorded_warnings() as notes:
        with decode.open_image(source, max_pixels) as image:
            fmt = image.format or ""
            width, height = image.size
            mode = image.mode
            frames = decode.frame_count(image)
            scale = decode.reduce(image, _scale(height, width, thumbnail_size))
            decode.load(image, max_pixels)
            if scale == 1:
                width, height = image.size
            orientation = decode.orientation(image)
            pixels = decode.normalise(image)
            luma = decode.luma(pixels)
            if scale == 1:
                pdq: PdqHash | None = hash_luma(luma)
            else:
                pdq = hash_reduced(luma, scale=scale, full_size=(height, width))
            features = orb.extract(luma, orb.QUERY_FEATURES) if robust else None
            thumbnail = b""
            if thumbnail_size > 0:
                small = _shrink(pixels, thumbnail_size)
                thumbnail = make_thumbnail(decode.upright(small, orientation), thumbnail_size)
        if pdq is None:
            scale = 1
            pdq = _full_resolution_hash(source, max_pixels)
    return ImageAnalysis(
        format=fmt,
        mime=decode.MIME_TYPES.get(fmt, "application/octet-stream"),
        width=width,
        height=height,
        mode=mode,
        frames=frames,
        orientation=orientation,
        pdq=pdq,
        thumbnail=thumbnail,
        scale=scale,
        warnings=tuple(dict.fromkeys(notes)),
        orb=orb.dumps(orb.stored(features)) if features is not None else None,
        orb_query=orb.dumps(features) if features is not None else None,
    )


def _full_resolution_hash(source: ImageSource, max_pixels: int) -> PdqHash:
    with decode.open_image(source, max_pixels) as image:
        decode.load(image, max_pixels)
        return hash_luma(decode.luma(decode.normalise(image)))


def _shrink(image: Image.Image, size: int) -> Image.Image:
    """``image`` box-reduced by a whole factor to no less than ``size`` on its longest side: a
    cheap first step that leaves the thumbnail's resize less than a halving to do."""
    factor = max(image.size) // size
    return image.reduce(factor) if factor > 1 else image


def _scale(height: int, width: int, thumbnail_size: int) -> int:
    """The largest reduction that keeps PDQ close and the thumbnail source big enough."""
    scale = pdq_pipeline.max_scale(height, width)
    while scale > 1 and -(-max(height, width) // scale) < thumbnail_size:
        scale //= 2
    return scale
