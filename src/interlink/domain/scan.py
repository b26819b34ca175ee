"""What a scan records for each item it ingests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from interlink.domain.clues import MediaClues, VideoInfo
from interlink.domain.media import Media, MediaKind, Sighting
from interlink.domain.problems import Problem
from interlink.domain.provenance import SourceRef


@dataclass(frozen=True, slots=True)
class EntryMatch:
    """A media matched list entry ``entry_id`` of list ``list_id`` on one signal."""

    entry_id: int
    list_id: int
    signal_type: str
    distance: int


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """One file ingested: its content (``media``, with every signal), where it was seen, what it
    matched, any problem it had (a corrupt image is still ingested with its hashes), its clues,
    and for a video its properties (``thumbnail`` is then its contact sheet)."""

    media: Media
    sighting: Sighting
    pdq_variants: tuple[str, ...] = ()
    thumbnail: bytes | None = None
    matches: tuple[EntryMatch, ...] = ()
    problems: tuple[Problem, ...] = field(default=())
    clues: MediaClues | None = None
    video: VideoInfo | None = None


@dataclass(frozen=True, slots=True)
class SightingRecord:
    """One sighting of a case with its media's content facts (a row of the case report)."""

    exhibit: str
    ref: SourceRef
    seq: int
    sha256: str
    md5: str
    sha1: str
    size: int
    media_type: str
    kind: MediaKind
    width: int | None
    height: int | None
    modified: datetime | None


@dataclass(frozen=True, slots=True)
class ProblemRecord:
    """A stored problem with the exhibit it belongs to."""

    exhibit: str
    problem: Problem
    ingested: bool
