"""What an exhibit's storage-media image says about itself: format, acquisition, hashes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """One storage-media image: its format (dfVFS type: ``EWF``, ``RAW``, ``QCOW`` ...), media
    size in bytes, the acquisition metadata it carries (an E01's case and evidence numbers,
    examiner, acquisition date, notes ...), the hashes stored in it (``md5``, ``sha1``), the
    hashes recomputed over its media data when asked (``computed``), and ``verified``: ``True``
    or ``False`` when a stored hash could be compared, ``None`` when not."""

    format: str
    media_size: int
    segments: int = 1
    acquisition: tuple[tuple[str, str], ...] = ()
    stored: tuple[tuple[str, str], ...] = ()
    computed: tuple[tuple[str, str], ...] = ()
    verified: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "format": self.format,
            "media_size": self.media_size,
            "segments": self.segments,
            "acquisition": dict(self.acquisition),
            "stored_hashes": dict(self.stored),
            "computed_hashes": dict(self.computed),
            "verified": self.verified,
        }
