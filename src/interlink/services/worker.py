"""The unit of work a scan hands to a worker process, and the function that does it.

Workers open plain files themselves (read-only) so the coordinating process does no reading for
folder exhibits; archive members arrive as bytes or as a spooled temporary file.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from interlink.domain.problems import ProblemKind
from interlink.media.analyse import FileAnalysis, analyse_stream

_NOATIME = getattr(os, "O_NOATIME", 0)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One file to analyse: a path to open read-only, or its bytes."""

    key: int
    path: str | None = None
    data: bytes | None = None
    max_pixels: int = 200_000_000
    max_image_bytes: int = 256 << 20


@dataclass(frozen=True, slots=True)
class WorkResult:
    """The analysis of a ``WorkItem``, or why the file could not be read."""

    key: int
    analysis: FileAnalysis | None
    failure: tuple[ProblemKind, str] | None = None


def open_readonly(path: str | Path) -> io.BufferedReader:
    """Open an evidence file for reading only, without updating its access time where the
    operating system allows it."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOATIME)
    except PermissionError:
        if not _NOATIME:
            raise
        fd = os.open(path, os.O_RDONLY)  # O_NOATIME needs ownership; fall back without it
    return open(fd, "rb", closefd=True)


def run(item: WorkItem) -> WorkResult:
    """Analyse one item; an unreadable file is a result with a failure, never an exception."""
    try:
        if item.data is not None:
            stream: io.BufferedIOBase = io.BytesIO(item.data)
        elif item.path is not None:
            stream = open_readonly(item.path)
        else:
            raise ValueError("a work item needs a path or data")
        with stream:
            analysis = analyse_stream(
                stream, max_image_bytes=item.max_image_bytes, max_pixels=item.max_pixels
            )
    except OSError as exc:
        return WorkResult(item.key, None, (ProblemKind.UNREADABLE, f"cannot read: {exc}"))
    return WorkResult(item.key, analysis)
