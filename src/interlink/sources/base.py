"""What every evidence source yields: entries with their provenance, or problems.

A source never touches the store and never stops for one bad item: it yields a ``Problem`` for
it and goes on. Entries are opened read-only and streamed; nothing holds a whole file in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from interlink.domain.disk import ImageFacts
from interlink.domain.problems import Problem
from interlink.domain.provenance import SourceRef


@dataclass(frozen=True, slots=True)
class Entry:
    """One file found in an exhibit.

    ``open`` returns a fresh read-only binary stream of its content each time it is called.
    Reading it raises ``EvidenceReadError`` when the evidence fails (an I/O error, a corrupt or
    truncated member, a member longer than declared); record that as a ``Problem`` of this
    entry and go on. The stream is seekable where seeking is cheap (files, tar members, spooled
    members), not for zip members. For an archive member, ``open`` is valid only until the
    source is asked for its next item (``ClosedEntryError`` after that).
    ``local_path`` is set when the content is a plain file on disk (so another process may open
    it itself, with ``interlink.sources.readonly.open_readonly``); ``None`` for members of
    archives. ``member`` is set for a file inside a disk image that another process on a
    machine with the image at the same path may open itself (``sources.disk_member``).
    """

    ref: SourceRef
    size: int
    open: Callable[[], BinaryIO]
    modified: datetime | None = None
    local_path: Path | None = None
    member: ImageMember | None = None


@dataclass(frozen=True, slots=True)
class ImageMember:
    """A file inside a disk image as another process opens it (``disk_member.open_member``):
    the dfVFS path specification of its file entry (JSON), its data stream (``""``: the
    default one), its size, and the location its read errors name."""

    spec: str
    stream: str
    size: int
    location: str


@dataclass(frozen=True, slots=True)
class Limits:
    """Safety limits for reading containers.

    ``max_depth`` is how many archives deep to open (an archive inside the exhibit is depth 1).
    An archive member whose size over its compressed size exceeds ``max_ratio`` (for members
    over ``ratio_floor`` bytes) is an ``archive_bomb`` problem and is not read. An archive found
    in the exhibit and the archives nested in it share ``max_archive_bytes`` of expansion (bytes
    produced beyond the compressed bytes read: stored content costs nothing) and
    ``max_members`` members; past either, what is left becomes an ``archive_bomb`` problem.
    Archive members up to ``spool_bytes`` are copied in memory, larger ones to a temporary file.
    """

    max_depth: int = 5
    max_ratio: float = 200.0
    ratio_floor: int = 1 << 20
    max_archive_bytes: int = 1 << 36
    max_members: int = 1_000_000
    spool_bytes: int = 64 << 20


@dataclass(frozen=True, slots=True)
class DiskOptions:
    """How to read disk images: carve what no file claims; scan volume shadow snapshots;
    credentials for encrypted volumes as ``(kind, value)`` pairs (kinds as dfVFS names them:
    ``recovery_password``, ``password``, ``startup_key``, ``key_data``); recompute the
    image's hash (``verify``); the largest carved file."""

    carve: bool = True
    vss: bool = False
    credentials: tuple[tuple[str, str], ...] = ()
    verify: bool = False
    max_carve_bytes: int = 64 << 20


#: Receives the facts of each image opened (format, acquisition metadata, verification).
FactsSink = Callable[[SourceRef, ImageFacts], None]


class Source(Protocol):
    """An evidence container that can list what it holds."""

    def entries(self) -> Iterator[Entry | Problem]:
        """Every file inside, with its provenance; a ``Problem`` for each bad item."""
        ...
