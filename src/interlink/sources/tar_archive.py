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
from interlink.sources.compressed import decompressor
from interlink.sources.names import UniquePaths, member_name, name_problems
from interlink.sources.spooling import RatioGuard, spool_stream
from interlink.sources.streams import (
    CHUNK,
    CountingReader,
    GuardedReader,
    RangeReader,
    Readable,
    buffered,
    classify_error,
)


class TarSource:
    """The regular-file members of the tar archive that ``opener`` reads, as ``ref.child("tar",
    path)``.

    ``opener`` returns a fresh stream of the archive. With ``in_place`` (a plain, uncompressed tar
    whose stream is seekable) members are read in place; otherwise the archive is streamed once.
    ``compression`` (``gzip``, ``bzip2``, ``xz``) names how the archive is compressed: the ratio
    limit then applies to the whole stream, and after the last member the rest of the stream is
    read so that its checksum is verified (a failure is a ``corrupt`` problem on the archive,
    since members already yielded may be damaged). Folders, links and device
    entries carry no content and are passed over. A member that cannot be read in full ends the
    iteration with its problem (a tar cannot be resynchronised past broken data). Reading in
    place costs no budget; a streamed member spends what it expands beyond the bytes read.
    """

    def __init__(
        self,
        opener: Callable[[], BinaryIO],
        ref: SourceRef,
        budget: Budget,
        *,
        in_place: bool,
        compression: str | None,
    ) -> None:
        self._opener = opener
        self._ref = ref
        self._budget = budget
        self._in_place = in_place
        self._compression = compression
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
        buffered_input = io.BufferedReader(counter)
        source: Readable = buffered_input
        try:
            if self._in_place:
                end = raw.seek(0, io.SEEK_END)
                raw.seek(0)
                archive = tarfile.open(fileobj=raw, mode="r:", encoding="utf-8")
            else:
                if self._compression is not None:
                    source = decompressor(self._compression, buffered_input)
                archive = tarfile.open(fileobj=cast(Any, source), mode="r|", encoding="utf-8")
        except Exception as exc:
            # tarfile raises many types on hostile input; the archive as a whole is unreadable.
            kind, reason = classify_error(exc)
            yield Problem(self._ref, ProblemKind(kind), f"cannot read the tar archive: {reason}")
            return
        compressed = self._compression is not None
        ratio = RatioGuard(self._budget, lambda: counter.count)
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
                    break
                # tarfile keeps every header it has read; drop them to keep memory flat.
                cast(Any, archive).members.clear()
                if not info.isreg():
                    continue
                done = yield from self._member(archive, info, unique, ratio, end)
                if done:
                    return
        if compressed:
            yield from self._verify_rest(source, ratio)

    def _verify_rest(self, source: Readable, ratio: RatioGuard) -> Iterator[Problem]:
        """Read the compressed stream to its end, so that its checksum is checked."""
        try:
            while data := source.read(CHUNK):
                if not ratio.add(len(data)) or not ratio.charge():
                    yield Problem(
                        self._ref,
                        ProblemKind.ARCHIVE_BOMB,
                        "expands too far past the end of the tar archive; not read further",
                    )
                    return
        except Exception as exc:
            kind, reason = classify_error(exc)
            yield Problem(
                self._ref,
                ProblemKind(kind),
                f"the compressed stream fails after the last member ({reason}); "
                "the members read before may be damaged",
            )

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
        yield from name_problems(ref, info.name, name)
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
                member, location, self._budget, ratio, declared=info.size, charge=True
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
