"""Import platform reports from files and folders, as a scan reads evidence.

Each path is a report file, a folder (every file below it, recursively, in a fixed order) or an
archive of them, walked by the evidence sources (``interlink.sources``): links out of a folder,
special files (a FIFO would block a reader) and files that cannot be read become problems of
their own, never a crash. A file that is not a report file is a problem of that file; the other
files are read. A path that cannot be opened at all is a ``SourceError``, as for a scan. An
import that reads no report at all and meets a problem is an error (``NothingReadError``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from interlink.domain.errors import FormatError, NothingReadError
from interlink.domain.problems import Problem
from interlink.domain.provenance import SourceRef
from interlink.media.detect import HEAD_BYTES
from interlink.network.ports import NetworkRepository
from interlink.services.networks import ImportResult, ReportFormat, import_reports
from interlink.sources.base import Entry
from interlink.sources.exhibit import container_kind, open_exhibit


@dataclass(frozen=True, slots=True)
class FileImport:
    """One file of an import: what it gave (``result``), or why it gave nothing (``problem``).

    ``source`` is the file as given on the command line, or found below a folder given there
    (``folder/sub/a.xml``), or an archive member (``archive.zip:a.xml``).
    """

    source: str
    result: ImportResult | None = None
    problem: str | None = None


def import_report_paths(
    repository: NetworkRepository,
    paths: Sequence[Path],
    *,
    fmt: ReportFormat | None = None,
    agency: str | None = None,
    case: str | None = None,
) -> Iterator[FileImport]:
    """Import the reports of every file at or below ``paths``, one ``FileImport`` per file,
    in order; ``NothingReadError`` at the end when no report was read and something failed."""
    imported = failures = 0
    first = ""
    for path in paths:
        for found in _import_path(repository, path, fmt=fmt, agency=agency, case=case):
            if found.result is not None:
                imported += found.result.imported
                bad = [problem.display() for problem in found.result.problems]
            else:
                bad = [found.problem or "unreadable"]
            failures += len(bad)
            first = first or (f"{found.source}: {bad[0]}" if bad else "")
            yield found
    if not imported and failures:
        where = str(paths[0]) if len(paths) == 1 else f"{len(paths)} paths"
        raise NothingReadError(where, failures, first)


def _import_path(
    repository: NetworkRepository,
    path: Path,
    *,
    fmt: ReportFormat | None,
    agency: str | None,
    case: str | None,
) -> Iterator[FileImport]:
    folder = path.is_dir()
    for item in open_exhibit(path, path.name):
        source = _label(path, folder, item.ref)
        yield from _import_item(repository, item, source, fmt=fmt, agency=agency, case=case)


def _import_item(
    repository: NetworkRepository,
    item: Entry | Problem,
    source: str,
    *,
    fmt: ReportFormat | None,
    agency: str | None,
    case: str | None,
) -> Iterator[FileImport]:
    if isinstance(item, Problem):
        yield FileImport(source, problem=item.message)
        return
    if item.size == 0:
        return  # the sources report a zero-byte file as a problem of its own
    try:
        with item.open() as stream:
            if container_kind(stream.read(HEAD_BYTES)) is not None:
                return  # an archive: its members follow it
        with item.open() as stream:
            result = import_reports(
                repository, stream, fmt=fmt, agency=agency, case=case, source=source
            )
    except FormatError as exc:
        yield FileImport(source, problem=exc.reason)
    except OSError as exc:
        yield FileImport(source, problem=f"cannot read: {exc.strerror or exc}")
    else:
        yield FileImport(source, result=result)


def _label(path: Path, folder: bool, ref: SourceRef) -> str:
    """Where a file was found, in the terms the user gave: the path itself for a file, the
    path below the folder for a folder's file, then ``!member`` for each archive it is in."""
    layers = [layer.path for layer in ref.layers]
    head = str(path / layers[0]) if folder and layers else str(path)
    return "!".join([head, *layers[1:]])
