"""Warnings as data: what went wrong with one item, recorded with its provenance.

A source, decoder or hasher never stops a scan for one bad item. It yields a ``Problem`` and
goes on (plaso's mediator pattern); the problem is stored and shown in the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from interlink.domain.provenance import SourceRef


class ProblemKind(StrEnum):
    """What kind of trouble an item gave."""

    CORRUPT = "corrupt"  # bytes that do not decode as what they claim to be
    TRUNCATED = "truncated"  # the data ends early
    DECOMPRESSION_BOMB = "decompression_bomb"  # an image over the pixel limit
    ARCHIVE_BOMB = "archive_bomb"  # an archive over its ratio or size limits
    PATH_TRAVERSAL = "path_traversal"  # an archive member named outside its archive
    ENCRYPTED = "encrypted"  # an archive or member that needs a password
    UNREADABLE = "unreadable"  # the operating system refused to read it
    EMPTY = "empty"  # a zero-byte file
    LINK_LOOP = "link_loop"  # a link that points back into a folder being walked
    LINK_OUTSIDE = "link_outside"  # a link that points outside the exhibit (not followed)
    BAD_NAME = "bad_name"  # a name that is not valid UTF-8
    TOO_DEEP = "too_deep"  # an archive nested deeper than the configured depth
    UNSUPPORTED = "unsupported"  # a recognised variant that no reader here supports
    TIMEOUT = "timeout"  # decoding took longer than allowed
    DECODER_WARNING = "decoder_warning"  # decoded, but the decoder reported damage on the way


@dataclass(frozen=True, slots=True)
class Problem:
    """One item's trouble: where it is, what kind, and a readable message."""

    ref: SourceRef
    kind: ProblemKind
    message: str

    def display(self) -> str:
        """``provenance: kind: message``."""
        return f"{self.ref.display()}: {self.kind.value}: {self.message}"
