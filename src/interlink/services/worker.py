"""The unit of work a scan hands to a worker process, and the function that does it.

Workers open plain files themselves (read-only) so the coordinating process does no reading for
folder exhibits, and files inside disk images too where they can (``sources.disk_member``);
archive members arrive as bytes or as a spooled temporary file.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from interlink.domain.errors import EvidenceReadError
from interlink.domain.problems import ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.media.analyse import AnalysisOptions, FileAnalysis, analyse_stream
from interlink.sources.base import ImageMember
from interlink.sources.readonly import open_readonly


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One file to analyse: where it is in the exhibit, and a path to open read-only, its
    bytes, or the file of a disk image to open (``member``). ``spooled``: the path is the
    coordinator's temporary copy of an archive member (a worker on another machine is sent its
    bytes instead)."""

    key: int
    ref: SourceRef
    path: str | None = None
    data: bytes | None = None
    options: AnalysisOptions = field(default_factory=AnalysisOptions)
    spooled: bool = False
    member: ImageMember | None = None


@dataclass(frozen=True, slots=True)
class WorkResult:
    """The analysis of a ``WorkItem``, or why the file could not be read."""

    key: int
    analysis: FileAnalysis | None
    failure: tuple[ProblemKind, str] | None = None


def read_failure(error: OSError) -> tuple[ProblemKind, str]:
    """The problem an evidence read error is recorded as."""
    if isinstance(error, EvidenceReadError):
        try:
            return ProblemKind(error.kind), error.reason
        except ValueError:
            return ProblemKind.UNREADABLE, error.reason
    return ProblemKind.UNREADABLE, f"cannot read: {error}"


def run(item: WorkItem) -> WorkResult:
    """Analyse one item; an unreadable file is a result with a failure, never an exception."""
    try:
        if item.data is not None:
            data = item.data
            stream: BinaryIO = io.BytesIO(data)

            def again() -> Path | BinaryIO:
                return io.BytesIO(data)

        elif item.path is not None:
            path = Path(item.path)
            stream = open_readonly(path)

            def again() -> Path | BinaryIO:
                return open_readonly(path)

        elif item.member is not None:
            # dfVFS loads only where an image is read (the fork server preloads it).
            from interlink.sources.disk_member import open_member

            member = item.member
            stream = open_member(member)

            def again() -> Path | BinaryIO:
                return open_member(member)

        else:
            raise ValueError("a work item needs a path, data or a member")
        with stream:
            analysis = analyse_stream(stream, item.ref, video_source=again, options=item.options)
    except OSError as exc:
        return WorkResult(item.key, None, read_failure(exc))
    return WorkResult(item.key, analysis)


def run_many(
    runner: Callable[[WorkItem], WorkResult], items: Sequence[WorkItem]
) -> list[WorkResult]:
    """``runner`` on each item in turn: one task for a worker process, several files."""
    return [runner(item) for item in items]
