"""Analyse one file in one read pass: its cryptographic hashes, its type from content, and
for images and videos the perceptual hashes, thumbnail or contact sheet, and clues. Pure apart
from reading what it is given.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from interlink.domain.clues import MediaClues
from interlink.domain.errors import DecodeError, MediaError, PixelLimitError
from interlink.domain.media import MediaKind
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.media.clues import extract_clues
from interlink.media.detect import HEAD_BYTES, sniff
from interlink.media.image import DEFAULT_MAX_PIXELS, ImageAnalysis, analyse_image
from interlink.media.records import media_clues
from interlink.signals.registry import CRYPTO

if TYPE_CHECKING:
    from interlink.media.video import VideoAnalysis

CHUNK = 1 << 20
#: Images larger than this (in bytes) are hashed but not decoded.
DEFAULT_MAX_IMAGE_BYTES = 256 << 20


class Readable(Protocol):
    """A binary stream to read from."""

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes; ``b""`` at the end."""
        ...


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """Limits and sampling for one file's analysis."""

    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    max_pixels: int = DEFAULT_MAX_PIXELS
    video_every_seconds: float = 1.0


@dataclass(frozen=True, slots=True)
class FileAnalysis:
    """What one read of a file yields."""

    size: int
    md5: str
    sha1: str
    sha256: str
    mime: str
    kind: MediaKind
    image: ImageAnalysis | None = None
    video: VideoAnalysis | None = None
    clues: MediaClues | None = None
    problems: tuple[Problem, ...] = ()


def analyse_stream(
    stream: Readable,
    ref: SourceRef,
    *,
    video_source: Callable[[], Path | BinaryIO] | None = None,
    options: AnalysisOptions | None = None,
) -> FileAnalysis:
    """Read ``stream`` to its end once, hashing every byte; analyse it if it is media.

    Only an image's bytes are held in memory (up to ``max_image_bytes``); anything else is
    hashed chunk by chunk. A video is decoded from ``video_source()`` (a path, or a fresh
    stream of the same content, which is closed after); without one it is hashed only.
    Problems name ``ref``. Raises ``OSError`` if the stream cannot be read.
    """
    options = options or AnalysisOptions()
    digests = [hashlib.new(name, usedforsecurity=False) for name in CRYPTO]
    problems: list[Problem] = []
    first = stream.read(CHUNK)
    while 0 < len(first) < HEAD_BYTES and (more := stream.read(CHUNK)):
        first += more  # a stream that returns short reads still gets a whole head to sniff
    head = first[:HEAD_BYTES]
    kept: bytes | None = None
    if sniff(head).kind is MediaKind.IMAGE:
        # An image is read whole, in one more read at most, and decoded from memory.
        rest = _read_up_to(stream, options.max_image_bytes + 1 - len(first)) if first else b""
        data = first + rest if rest else first
        for digest in digests:
            digest.update(data)
        size = len(data)
        if size <= options.max_image_bytes:
            kept = data
        else:
            message = f"image over {options.max_image_bytes} bytes not decoded"
            problems.append(Problem(ref, ProblemKind.UNSUPPORTED, message))
    else:
        for digest in digests:
            digest.update(first)
        size = len(first)
    while chunk := stream.read(CHUNK):
        for digest in digests:
            digest.update(chunk)
        size += len(chunk)
    found = sniff(head)
    image = video = None
    clues = None
    if found.kind is MediaKind.IMAGE and kept is not None:
        image, clues = _image(kept, ref, options, problems)
    elif found.kind is MediaKind.VIDEO and video_source is not None:
        video, clues = _video(video_source, ref, options, problems)
    if size == 0:
        problems.append(Problem(ref, ProblemKind.EMPTY, "zero-byte file"))
    return FileAnalysis(
        size=size,
        md5=digests[0].hexdigest(),
        sha1=digests[1].hexdigest(),
        sha256=digests[2].hexdigest(),
        mime=found.mime,
        kind=found.kind,
        image=image,
        video=video,
        clues=clues,
        problems=tuple(problems),
    )


def _read_up_to(stream: Readable, limit: int) -> bytes:
    """Up to ``limit`` bytes, fewer only at the end of the stream (short reads are retried)."""
    data = stream.read(limit)
    if len(data) >= limit or not data:
        return data
    pieces = [data]
    total = len(data)
    while total < limit and (more := stream.read(limit - total)):
        pieces.append(more)
        total += len(more)
    return b"".join(pieces)


def _image(
    data: bytes, ref: SourceRef, options: AnalysisOptions, problems: list[Problem]
) -> tuple[ImageAnalysis | None, MediaClues | None]:
    image = None
    try:
        image = analyse_image(data, max_pixels=options.max_pixels)
    except PixelLimitError as exc:
        problems.append(Problem(ref, ProblemKind.DECOMPRESSION_BOMB, str(exc)))
    except DecodeError as exc:
        problems.append(Problem(ref, ProblemKind.CORRUPT, str(exc)))
    if image is not None:
        problems.extend(Problem(ref, ProblemKind.DECODER_WARNING, w) for w in image.warnings)
    # Clues are read even from an image that does not decode: a truncated JPEG's EXIF block
    # may still name the camera. Their own trouble is reported only when the image is sound.
    clues = extract_clues(data, main_pdq=image.pdq.value if image else None)
    if image is not None:
        problems.extend(Problem(ref, ProblemKind.CORRUPT, text) for text in clues.problems)
    record = media_clues(clues)
    return image, None if record.empty else record


def _video(
    source: Callable[[], Path | BinaryIO],
    ref: SourceRef,
    options: AnalysisOptions,
    problems: list[Problem],
) -> tuple[VideoAnalysis | None, MediaClues | None]:
    # PyAV is loaded with the first video, not by every process that may analyse one.
    from interlink.media.video import analyse_video, error_problem, issue_problems
    from interlink.media.video_clues import clues_from_tags

    opened = source()
    try:
        analysis = analyse_video(opened, every_seconds=options.video_every_seconds)
    except MediaError as exc:
        problems.append(error_problem(exc, ref))
        return None, None
    finally:
        if not isinstance(opened, Path):
            opened.close()
    problems.extend(issue_problems(analysis, ref))
    record = media_clues(clues_from_tags(analysis.metadata))
    return analysis, None if record.empty else record
