"""Carving: media found by signature and structure in space no file claims.

``carve`` scans byte ranges of a volume in large windows with ``bytes.find`` (one pass per
signature, which runs at memory speed when nothing is there), walks each candidate's structure
to its end (``carve_formats``) and keeps it only if it decodes (``validate``). A candidate that
starts inside a file already carved (an embedded thumbnail) is skipped. Fragmented files are
not reassembled: a candidate is one contiguous byte range.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from interlink.domain.errors import EvidenceReadError, MediaError
from interlink.media.decode import DEFAULT_MAX_PIXELS, load, open_image
from interlink.sources.carve_formats import FORMATS, riff_kind
from interlink.sources.disk_streams import ReadAt, read_checked

#: How much is scanned at once.
WINDOW = 8 << 20
#: Bytes kept from the end of one window for the next, so a signature across the seam is found.
_SEAM = 16
#: How much is read for a candidate at first, then on each retry (up to the carve limit).
_STEPS = (1 << 20, 16 << 20)


@dataclass(frozen=True, slots=True)
class Carved:
    """A validated carved file: its byte range in the volume (``[start, end)``) and content."""

    start: int
    end: int
    mime: str
    suffix: str
    data: bytes


def carve(
    read_at: ReadAt,
    regions: list[tuple[int, int]],
    volume_size: int,
    location: str,
    max_bytes: int = 64 << 20,
    align: int = 1,
) -> Iterator[Carved | EvidenceReadError]:
    """Every validated file in the ``[start, end)`` byte ``regions`` of a volume.

    With ``align`` > 1 (a sector size) only files starting on a multiple of ``align`` are
    looked for, as a file system stores them (PhotoRec's default); the regions must start on
    such a multiple. With 1, every byte offset is tried. A carved file may run past its
    region's end (up to ``max_bytes`` and the volume's end). A read failure is yielded as the
    ``EvidenceReadError`` (naming the offset) and the scan goes on after the window that failed.
    """
    seam = 0 if align > 1 else _SEAM
    for region_start, region_end in regions:
        position = region_start
        skip_until = region_start
        while position < region_end:
            length = min(WINDOW, region_end - position)
            try:
                window = read_checked(read_at, position, length, location)
            except EvidenceReadError as exc:
                yield exc
                position += length
                continue
            hits = (
                _aligned_candidates(window, position, align)
                if align > 1
                else _candidates(window, position, region_end)
            )
            for start in hits:
                if start < skip_until:
                    continue
                found = _carve_at(read_at, start, window, position, volume_size, max_bytes)
                if found is not None:
                    skip_until = found.end
                    yield found
            if position + length >= region_end:
                break
            position += length - seam


def _candidates(window: bytes, base: int, region_end: int) -> list[int]:
    """Absolute offsets where a carved format's signature says a file may start."""
    starts: set[int] = set()
    for _, signature, offset, _, _, plausible in FORMATS:
        found = window.find(signature)
        while found != -1:
            start = base + found - offset
            if found >= offset and start < region_end and plausible(window, found - offset):
                starts.add(start)
            found = window.find(signature, found + 1)
    return sorted(starts)


#: Sector heads looked at in the aligned scan: the longest signature and its offset fit in it.
_HEAD = 12
#: The first two bytes of each signature at offset 0, as a lookup table of 16-bit values.
_FIRST_PAIRS = np.zeros(1 << 16, dtype=bool)
for _format in FORMATS:
    if _format[2] == 0:
        _FIRST_PAIRS[_format[1][0] << 8 | _format[1][1]] = True
_FTYP = int.from_bytes(b"ftyp", "little")


def _aligned_candidates(window: bytes, base: int, align: int) -> list[int]:
    """Offsets on multiples of ``align`` whose head holds a signature, found with NumPy over
    only the first bytes of each sector (the window need not be a multiple of ``align``)."""
    count = len(window) // align
    if count == 0:
        return []
    sectors = np.frombuffer(window, dtype=np.uint8, count=count * align).reshape(count, align)
    heads = np.ascontiguousarray(sectors[:, :_HEAD])
    pairs = heads[:, 0].astype(np.uint16) << 8 | heads[:, 1]
    ftyp = heads[:, 4:8].copy().view("<u4")[:, 0] == _FTYP
    rows = np.flatnonzero(_FIRST_PAIRS[pairs] | ftyp)
    starts: list[int] = []
    for row in rows.tolist():
        at = row * align
        for _, signature, offset, _, _, plausible in FORMATS:
            spot = window[at + offset : at + offset + len(signature)]
            if spot == signature and plausible(window, at):
                starts.append(base + at)
                break
    return starts


def _carve_at(
    read_at: ReadAt, start: int, window: bytes, base: int, volume_size: int, max_bytes: int
) -> Carved | None:
    limit = min(max_bytes, volume_size - start)
    data = window[start - base : start - base + _STEPS[0]]
    for step in (*_STEPS, limit):
        size = min(step, limit)
        if len(data) < size:
            try:
                data = read_at(start, size)
            except Exception:
                # A candidate that cannot be read is no file; the window itself was readable.
                return None
        found = _identify(data)
        if found is not None:
            mime, suffix, end = found
            content = bytes(data[:end])
            return (
                Carved(start, start + end, mime, suffix, content)
                if validate(content, mime)
                else None
            )
        if size >= limit:
            return None
    return None


def _identify(data: bytes) -> tuple[str, str, int] | None:
    """The format, suffix and end of the file starting at ``data[0]``, if its structure ends
    inside ``data``."""
    for mime, signature, offset, suffix, end_finder, _ in FORMATS:
        if data[offset : offset + len(signature)] != signature:
            continue
        end = end_finder(data, 0)
        if end is None:
            continue
        if mime == "riff":
            kind = riff_kind(data, 0)
            if kind is None:
                continue
            mime, suffix = kind
        return mime, suffix, end
    return None


def validate(data: bytes, mime: str) -> bool:
    """Whether ``data`` decodes as ``mime``: every pixel of an image, the first frame of a
    video."""
    if mime.startswith("image/"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                with open_image(data, DEFAULT_MAX_PIXELS) as image:
                    load(image)
        except (MediaError, OSError, Warning):
            return False
        return True
    return _video_decodes(data)


def _video_decodes(data: bytes) -> bool:
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.video:
                return False
            for _ in container.decode(video=0):
                return True
    except (av.FFmpegError, OSError, ValueError, IndexError):
        return False
    return False
