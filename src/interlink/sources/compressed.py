"""A single compressed stream (gzip, bzip2, xz) holding one file, such as ``photo.jpg.gz``.

Compressed tars are read by ``TarSource``; this reads any other compressed stream as a
container of one member, named from the gzip header or the container's name without its
suffix. Nothing declares the size up front, so every byte produced is spent from the budget and
the ratio limit applies as it streams.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from interlink.domain.errors import EvidenceReadError
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.sources.base import Entry
from interlink.sources.budget import Budget
from interlink.sources.names import member_name, name_problems
from interlink.sources.spooling import RatioGuard, spool_stream
from interlink.sources.streams import CountingReader, Readable

#: Container kinds this module reads, with the suffixes their file names usually carry.
SUFFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "gzip": ((".tgz", ".tar"), (".gz", ""), (".z", "")),
    "bzip2": ((".tbz2", ".tar"), (".tbz", ".tar"), (".bz2", "")),
    "xz": ((".txz", ".tar"), (".xz", "")),
}
_GZIP_HEAD = (1 << 16) + 4096
_FEXTRA, _FNAME = 0x04, 0x08


def decompressor(kind: str, stream: BinaryIO) -> Readable:
    """A reader of the data that ``stream`` holds compressed as ``kind``."""
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if kind == "bzip2":
        return bz2.BZ2File(stream)
    if kind == "xz":
        return lzma.LZMAFile(stream)
    raise ValueError(f"not a compressed stream kind: {kind!r}")


class CompressedSource:
    """The one file inside the ``kind`` compressed stream that ``opener`` reads, as
    ``ref.child(kind, name)``; its ``open`` is valid until the iteration moves on."""

    def __init__(
        self, opener: Callable[[], BinaryIO], ref: SourceRef, budget: Budget, kind: str
    ) -> None:
        if kind not in SUFFIXES:
            raise ValueError(f"not a compressed stream kind: {kind!r}")
        self._opener = opener
        self._ref = ref
        self._budget = budget
        self._kind = kind

    def entries(self) -> Iterator[Entry | Problem]:
        """The member, or the problem that stopped it."""
        stored, modified = self._header()
        raw_name = stored if stored else self._stripped()
        name = member_name(raw_name)
        ref = self._ref.child(self._kind, name.path)
        if not self._budget.take_members(1):
            yield Problem(self._ref, ProblemKind.ARCHIVE_BOMB, self._budget.members_message(1))
            return
        try:
            raw = self._opener()
        except EvidenceReadError as exc:
            yield Problem(self._ref, ProblemKind(exc.kind), exc.reason)
            return
        counter = CountingReader(raw)
        try:
            ratio = RatioGuard(self._budget, lambda: counter.count)
            spool = spool_stream(
                decompressor(self._kind, io.BufferedReader(counter)),
                ref.display(),
                self._budget,
                ratio,
                declared=None,
                charge=True,
            )
        except EvidenceReadError as exc:
            yield Problem(ref, ProblemKind(exc.kind), exc.reason)
            return
        finally:
            counter.close()
        yield from name_problems(ref, raw_name, name)
        try:
            yield Entry(ref, spool.size, spool.open, modified)
        finally:
            spool.close()

    def _header(self) -> tuple[bytes | None, datetime | None]:
        """The name and time a gzip header records (``None`` where it records none)."""
        if self._kind != "gzip":
            return None, None
        try:
            with self._opener() as stream:
                head = stream.read(_GZIP_HEAD)
        except EvidenceReadError:
            return None, None
        return gzip_name(head), gzip_time(head)

    def _stripped(self) -> str:
        name = self._ref.name
        for suffix, replacement in SUFFIXES[self._kind]:
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)] + replacement
        return name


def gzip_name(head: bytes) -> bytes | None:
    """The original file name a gzip header records, if it records one."""
    if len(head) < 10 or head[:2] != b"\x1f\x8b" or not head[3] & _FNAME:
        return None
    position = 10
    if head[3] & _FEXTRA:
        position += 2 + int.from_bytes(head[10:12], "little")
    end = head.find(b"\x00", position)
    return head[position:end] if end > position else None


def gzip_time(head: bytes) -> datetime | None:
    """The modification time a gzip header records (zero means none)."""
    if len(head) < 10 or head[:2] != b"\x1f\x8b":
        return None
    seconds = int.from_bytes(head[4:8], "little")
    return datetime.fromtimestamp(seconds, UTC) if seconds else None
