"""Contact sheets: a grid of frames sampled across a video, so a reviewer sees it at a glance.

The sheet is built and stored clear; every view shows ``wellness_sheet`` of it (blurred and
greyscale, ``interlink.media.thumbnails.wellness_view``) until an audited reveal.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from PIL import Image, ImageDraw

from interlink.media.thumbnails import wellness_jpeg

#: Size of one tile of the grid, in pixels (16:9; frames are letterboxed into it).
TILE = (192, 108)
#: Most tiles on one sheet.
MAX_TILES = 16


def _label(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def make_sheet(tiles: Sequence[tuple[float, Image.Image]], *, columns: int = 4) -> bytes:
    """A clear JPEG grid of ``(timestamp seconds, frame)`` tiles in the given order, each
    letterboxed into ``TILE`` and labelled with its time; an empty input gives an empty
    result (no sheet)."""
    if not tiles:
        return b""
    columns = max(1, min(columns, len(tiles)))
    rows = math.ceil(len(tiles) / columns)
    width, height = TILE
    sheet = Image.new("RGB", (columns * width, rows * height), (0, 0, 0))
    draw = ImageDraw.Draw(sheet)
    for n, (seconds, frame) in enumerate(tiles):
        tile = frame.convert("RGB")
        tile.thumbnail(TILE, Image.Resampling.BILINEAR)
        left = (n % columns) * width + (width - tile.width) // 2
        top = (n // columns) * height + (height - tile.height) // 2
        sheet.paste(tile, (left, top))
        draw.text(((n % columns) * width + 3, (n // columns) * height + 2), _label(seconds))
    buffer = io.BytesIO()
    sheet.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def wellness_sheet(sheet: bytes) -> bytes:
    """The blurred greyscale JPEG of a clear sheet, for default display (empty stays empty)."""
    return wellness_jpeg(sheet) if sheet else b""


class SheetSampler:
    """Keeps at most ``2 * tiles`` evenly spaced frames of a stream of unknown length, and
    gives back ``tiles`` of them spread over the whole stream."""

    def __init__(self, tiles: int = MAX_TILES) -> None:
        self._tiles = max(1, tiles)
        self._kept: list[tuple[float, Image.Image]] = []
        self._stride = 1
        self._seen = 0

    def offer(self, seconds: float, frame: Image.Image) -> None:
        """Consider one frame (frames must come in time order); keeps a small copy."""
        if self._seen % self._stride == 0:
            small = frame.copy()
            small.thumbnail(TILE, Image.Resampling.BILINEAR)
            self._kept.append((seconds, small))
            if len(self._kept) > 2 * self._tiles:
                self._kept = self._kept[::2]
                self._stride *= 2
        self._seen += 1

    def wants(self) -> bool:
        """Whether the next offered frame would be kept (so callers can skip making it)."""
        return self._seen % self._stride == 0

    def skip(self) -> None:
        """Count a frame that was not offered because ``wants`` was false."""
        self._seen += 1

    def tiles(self) -> list[tuple[float, Image.Image]]:
        """The kept frames, thinned evenly to at most ``tiles``."""
        kept = self._kept
        if len(kept) <= self._tiles:
            return list(kept)
        step = (len(kept) - 1) / (self._tiles - 1) if self._tiles > 1 else 0
        return [kept[round(n * step)] for n in range(self._tiles)]
