"""What a worker's analysis of one item becomes: the ``ScannedFile`` (media, signals,
sighting, matches, thumbnail, clues) handed to the batch writer, or a problem."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from interlink.domain.media import Media, Sighting
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.scan import EntryMatch, ScannedFile
from interlink.domain.signals import Signal
from interlink.media.records import video_info
from interlink.services.scan_writer import BatchWriter
from interlink.services.worker import WorkResult
from interlink.signals import orb, vpdq
from interlink.sources.base import Entry

if TYPE_CHECKING:  # the indexes load numba: imported only when there is something to match
    from interlink.triage.known import KnownMatcher


@dataclass(slots=True)
class Pending:
    """An entry of the exhibit on its way through the workers: its sequence number, and the
    temporary copy of its content the coordinator made (an archive member), if any."""

    seq: int
    entry: Entry
    temp: Path | None = None


def record(
    result: WorkResult, pending: Pending, matcher: KnownMatcher | None, writer: BatchWriter
) -> int:
    """Hand what the worker found for ``pending`` to ``writer``, with its matches against
    ``matcher``: 1 if the item was ingested, 0 if it became a problem."""
    entry = pending.entry
    analysis = result.analysis
    if analysis is None:
        kind, message = result.failure or (ProblemKind.UNREADABLE, "cannot read")
        writer.add_problem(Problem(entry.ref, kind, message))
        return 0
    signals = [
        Signal("md5", analysis.md5),
        Signal("sha1", analysis.sha1),
        Signal("sha256", analysis.sha256),
    ]
    image, video = analysis.image, analysis.video
    if image is not None:
        signals.append(Signal("pdq", image.pdq.value, image.pdq.quality))
        if image.orb is not None:
            signals.append(Signal(orb.NAME, image.orb))
    if video is not None:
        signals.append(Signal(vpdq.NAME, vpdq.dumps(video.frames)))
    width = image.width if image else video.width if video else None
    height = image.height if image else video.height if video else None
    media = Media(
        sha256=analysis.sha256,
        md5=analysis.md5,
        sha1=analysis.sha1,
        size=analysis.size,
        media_type=analysis.mime,
        kind=analysis.kind,
        width=width,
        height=height,
        signals=tuple(signals),
    )
    matches: tuple[EntryMatch, ...] = ()
    if matcher is not None:
        from interlink.triage.known import Query

        query = Query(
            {"md5": analysis.md5, "sha1": analysis.sha1, "sha256": analysis.sha256},
            image.pdq if image else None,
            video.frames if video else (),
            image.orb_query if image else None,
        )
        matches = tuple(matcher.match(query))
    thumbnail = image.thumbnail if image else (video.contact_sheet or None) if video else None
    scanned = ScannedFile(
        media=media,
        sighting=Sighting(analysis.sha256, entry.ref, analysis.size, entry.modified),
        pdq_variants=image.pdq.dihedral if image else (),
        thumbnail=thumbnail,
        matches=matches,
        problems=analysis.problems,
        clues=analysis.clues,
        video=video_info(video) if video else None,
    )
    writer.add_file(pending.seq, scanned)
    return 1
