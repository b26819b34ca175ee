"""Analyse one file in one read pass: its cryptographic hashes, its type from content, and for
images the decode, PDQ and thumbnail. Pure apart from reading the stream it is given.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from interlink.domain.errors import DecodeError, PixelLimitError
from interlink.domain.media import MediaKind
from interlink.domain.problems import ProblemKind
from interlink.media.detect import HEAD_BYTES, sniff
from interlink.media.image import DEFAULT_MAX_PIXELS, ImageAnalysis, analyse_image
from interlink.signals.registry import CRYPTO

CHUNK = 1 << 20
#: Images larger than this (in bytes) are hashed but not decoded.
DEFAULT_MAX_IMAGE_BYTES = 256 << 20


class Readable(Protocol):
    """A binary stream to read from."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes; ``b""`` at the end."""
        ...


@dataclass(frozen=True, slots=True)
class FileAnalysis:
    """What one read of a file yields. ``problems`` are (kind, message) pairs; the caller
    attaches the provenance."""

    size: int
    md5: str
    sha1: str
    sha256: str
    mime: str
    kind: MediaKind
    image: ImageAnalysis | None = None
    problems: tuple[tuple[ProblemKind, str], ...] = ()


def analyse_stream(
    stream: Readable,
    *,
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> FileAnalysis:
    """Read ``stream`` to its end once, hashing every byte; decode it if it is an image.

    Only an image's bytes are held in memory (up to ``max_image_bytes``); anything else is
    hashed chunk by chunk. Raises ``OSError`` if the stream cannot be read.
    """
    digests = [hashlib.new(name, usedforsecurity=False) for name in CRYPTO]
    head = b""
    kept: bytearray | None = bytearray()  # the bytes, while they may be an image's
    size = 0
    problems: list[tuple[ProblemKind, str]] = []
    while chunk := stream.read(CHUNK):
        for digest in digests:
            digest.update(chunk)
        size += len(chunk)
        deciding = len(head) < HEAD_BYTES
        if deciding:
            head += chunk[: HEAD_BYTES - len(head)]
        if kept is None:
            continue
        if len(kept) + len(chunk) > max_image_bytes:
            kept = None
            if sniff(head).kind is MediaKind.IMAGE:
                problems.append(
                    (ProblemKind.UNSUPPORTED, f"image over {max_image_bytes} bytes not decoded")
                )
            continue
        kept += chunk
        if deciding and len(head) >= HEAD_BYTES and sniff(head).kind is not MediaKind.IMAGE:
            kept = None
    found = sniff(head)
    image = None
    if found.kind is MediaKind.IMAGE and kept is not None:
        try:
            image = analyse_image(bytes(kept), max_pixels=max_pixels)
        except PixelLimitError as exc:
            problems.append((ProblemKind.DECOMPRESSION_BOMB, str(exc)))
        except DecodeError as exc:
            problems.append((ProblemKind.CORRUPT, str(exc)))
    if size == 0:
        problems.append((ProblemKind.EMPTY, "zero-byte file"))
    return FileAnalysis(
        size=size,
        md5=digests[0].hexdigest(),
        sha1=digests[1].hexdigest(),
        sha256=digests[2].hexdigest(),
        mime=found.mime,
        kind=found.kind,
        image=image,
        problems=tuple(problems),
    )
