"""Tar archives, plain or compressed with gzip, bzip2 or xz, read front to back.

A compressed tar cannot be read at random, so each member is copied into a ``Spool`` as the
archive streams past it, and the entry opens that copy. A plain tar on a seekable stream is read
in place: each entry opens a fresh window on the archive. Either way an entry's ``open`` is
valid only until the iteration moves on (then ``ClosedEntryError``).
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

from interlink.domain.errors import ClosedEntryError, EvidenceReadError
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.sources.base import Entry
from interlink.sources.budget import Budget
from interlink.sources.names import UniquePaths, member_name
from interlink.sources.spooling import RatioGuard, spool_stream
from interlink.sources.streams import (
    CountingReader,
    GuardedReader,
    RangeReader,
    buffered,
    classify_error,
)


class TarSource:
    """The regular-file members of the tar archive that ``opener`` reads, as ``ref.child("tar",
    path)``.

    ``opener`` returns a fresh stream of the archive. With ``in_place`` (a plain, uncompressed tar
    whose stream is seekable) members are read in place; otherwise the archive is streamed once.
    ``compressed`` makes the ratio limit apply to the whole stream. Folders, links and device
    entries carry no content and are passed over. A member that cannot be read in full ends the
    iteration with its problem (a tar cannot be resynchronised past broken data).
    """

    def __init__(
        self,
        opener: Callable[[], BinaryIO],
        ref: SourceRef,
        budget: Budget,
        *,
        in_place: bool,
        compressed: bool,
    ) -> None:
        self._opener = opener
        self._ref = ref
        self._budget = budget
        self._in_place = in_place
        self._compressed = compressed
        self._closed = False

    def entries(self) -> Iterator[Entry | Problem]:
        """Every regular member, with problems for the bad ones (see the class docstring)."""
        try:
            raw = self._opener()
        except EvidenceReadError as exc:
            yield Problem(self._ref, ProblemKind(exc.kind), exc.reason)
            return
        counter = CountingReader(raw)
        try:
            yield from self._read(raw, counter)
        finally:
            self._closed = True
            counter.close()

    def _read(self, raw: BinaryIO, counter: CountingReader) -> Iterator[Entry | Problem]:
        end: int | None = None
        try:
            if self._in_place:
                end = raw.seek(0, io.SEEK_END)
                raw.seek(0)
                archive = tarfile.open(fileobj=raw, mode="r:", encoding="utf-8")
            else:
                source = io.BufferedReader(counter)
                archive = tarfile.open(fileobj=source, mode="r|*", encoding="utf-8")
        except Exception as exc:
            # tarfile raises many types on hostile input; the archive as a whole is unreadable.
            kind, reason = classify_error(exc)
            yield Problem(self._ref, ProblemKind(kind), f"cannot read the tar archive: {reason}")
            return
        ratio = RatioGuard(self._budget, (lambda: counter.count) if self._compressed else None)
        unique = UniquePaths()
        with archive:
            while True:
                try:
                    info = archive.next()
                except Exception as exc:
                    kind, reason = classify_error(exc)
                    yield Problem(self._ref, ProblemKind(kind), f"tar archive breaks off: {reason}")
                    return
                if info is None:
                    return
                # tarfile keeps every header it has read; drop them to keep memory flat.
                cast(Any, archive).members.clear()
                if not info.isreg():
                    continue
                done = yield from self._member(archive, info, unique, ratio, end)
                if done:
                    return

    def _member(
        self,
        archive: tarfile.TarFile,
        info: tarfile.TarInfo,
        unique: UniquePaths,
        ratio: RatioGuard,
        end: int | None,
    ) -> Generator[Entry | Problem, None, bool]:
        """Yields the member; returns true when the archive cannot be read any further."""
        name = member_name(info.name)
        ref = self._ref.child("tar", unique.claim(name.path))
        if not self._budget.take_members(1):
            yield Problem(self._ref, ProblemKind.ARCHIVE_BOMB, self._budget.members_message(1))
            return True
        if not self._budget.take_bytes(info.size):
            message = self._budget.bytes_message(info.size)
            yield Problem(ref, ProblemKind.ARCHIVE_BOMB, f"{message}; not read")
            return True
        if name.traversal:
            yield Problem(
                ref,
                ProblemKind.PATH_TRAVERSAL,
                f"member name {info.name!r} points outside the archive; "
                "read and recorded under a sanitised path",
            )
        if not name.utf8:
            yield Problem(ref, ProblemKind.BAD_NAME, "member name is not valid UTF-8")
        modified = _modified(info.mtime)
        if self._in_place and not info.issparse():
            if end is not None and info.offset_data + info.size > end:
                yield Problem(
                    ref,
                    ProblemKind.TRUNCATED,
                    f"the archive ends {max(end - info.offset_data, 0)} bytes into this member "
                    f"of {info.size} bytes",
                )
                return True
            start, size = info.offset_data, info.size
            yield Entry(ref, size, lambda: self._window(start, size, ref), modified)
            return False
        location = ref.display()
        try:
            member = archive.extractfile(info)
            if member is None:
                return False
            spool = spool_stream(
                member, location, self._budget, ratio, declared=info.size, charge=False
            )
        except EvidenceReadError as exc:
            yield Problem(ref, ProblemKind(exc.kind), exc.reason)
            return True
        except Exception as exc:
            kind, reason = classify_error(exc)
            yield Problem(ref, ProblemKind(kind), reason)
            return True
        try:
            yield Entry(ref, spool.size, spool.open, modified)
        finally:
            spool.close()
        return False

    def _window(self, start: int, size: int, ref: SourceRef) -> BinaryIO:
        location = ref.display()
        if self._closed:
            raise ClosedEntryError(location)
        raw = self._opener()
        return buffered(GuardedReader(RangeReader(raw, start, size), location, size, exact=True))


def _modified(seconds: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, ValueError, OSError):
        return None
