"""7z archives, decompressed once, front to back, with each member handed over as a ``Spool``.

A solid 7z archive decompresses as one stream, so reading members one by one would decompress
the archive again for each. Instead ``py7zr`` runs once in a helper thread and hands each
finished member over a one-place queue: at most two members are held at a time, and an
entry's ``open`` is valid until the iteration moves on. Encrypted archives are reported, not read.
"""

from __future__ import annotations

import lzma
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

import py7zr
import py7zr.exceptions
import py7zr.io

from interlink.domain.errors import EvidenceReadError
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.sources.base import Entry
from interlink.sources.budget import Budget
from interlink.sources.names import MemberName, UniquePaths, member_name, name_problems
from interlink.sources.streams import Spool, classify_error

_WAIT = 0.05


@dataclass(frozen=True, slots=True)
class _Member:
    ref: SourceRef
    name: MemberName
    raw_name: str
    size: int
    modified: datetime | None


@dataclass(frozen=True, slots=True)
class _Finished:
    member: _Member
    spool: Spool


@dataclass(frozen=True, slots=True)
class _Failed:
    member: _Member | None
    kind: str
    reason: str


class _Cancelled(Exception):
    """The consumer stopped; the helper thread abandons the extraction."""


class SevenZipSource:
    """The file members of the 7z archive in seekable ``stream``, as ``ref.child("7z", path)``.

    ``stream`` stays open: the caller owns it. A member that fails its check (a CRC mismatch,
    a broken stream) ends the iteration with its problem, after every member read before it.
    """

    def __init__(self, stream: BinaryIO, ref: SourceRef, budget: Budget) -> None:
        self._stream = stream
        self._ref = ref
        self._budget = budget

    def entries(self) -> Iterator[Entry | Problem]:
        """Every file member, with problems for the bad ones (see the class docstring)."""
        try:
            archive = py7zr.SevenZipFile(self._stream, mode="r")
        except py7zr.exceptions.PasswordRequired:
            yield Problem(self._ref, ProblemKind.ENCRYPTED, "7z archive with encrypted names")
            return
        except Exception as exc:
            # py7zr raises many types on hostile input; the archive as a whole is unreadable.
            yield Problem(self._ref, *_classify(exc, "cannot read the 7z archive"))
            return
        try:
            yield from self._members(archive)
        finally:
            archive.close()

    def _members(self, archive: py7zr.SevenZipFile) -> Iterator[Entry | Problem]:
        files = [f for f in archive.files if not (f.is_directory or f.is_symlink or f.is_socket)]
        if archive.needs_password():
            yield Problem(
                self._ref,
                ProblemKind.ENCRYPTED,
                f"7z archive is encrypted; its {len(files)} members were not read",
            )
            return
        refused = self._refusal(files)
        if refused:
            yield Problem(self._ref, ProblemKind.ARCHIVE_BOMB, refused)
            return
        unique = UniquePaths()
        members: dict[int, _Member] = {}
        for item in files:
            name = member_name(item.filename)
            ref = self._ref.child("7z", unique.claim(name.path))
            members[item.id] = _Member(ref, name, item.filename, item.uncompressed, _time(item))
        yield from self._extract(archive, members)

    def _refusal(self, files: list[Any]) -> str | None:
        declared = sum(item.uncompressed for item in files)
        packed = self._stream.seek(0, 2)
        if not self._budget.take_members(len(files)):
            return self._budget.members_message(len(files))
        if self._budget.ratio_exceeded(declared, packed):
            return (
                f"declares {declared} bytes in {packed} compressed bytes, over the ratio limit "
                f"of {self._budget.limits.max_ratio:g}; not expanded"
            )
        if not self._budget.take_bytes(max(0, declared - packed)):
            return self._budget.bytes_message(declared - packed)
        return None

    def _extract(
        self, archive: py7zr.SevenZipFile, members: dict[int, _Member]
    ) -> Iterator[Entry | Problem]:
        handoff: queue.Queue[_Finished | _Failed | None] = queue.Queue(maxsize=1)
        cancel = threading.Event()
        factory = _Factory(members, handoff, cancel, self._budget)
        for file_id in members:
            archive.worker.register_filelike(file_id, py7zr.io.MemIO(str(file_id), factory))
        thread = threading.Thread(
            target=_produce, args=(archive, factory), name=f"7z {self._ref}", daemon=True
        )
        thread.start()
        try:
            while (item := handoff.get()) is not None:
                if isinstance(item, _Failed):
                    yield Problem(item.member.ref if item.member else self._ref, *_kind(item))
                    return
                member = item.member
                yield from name_problems(member.ref, member.raw_name, member.name)
                try:
                    yield Entry(
                        item.member.ref, item.spool.size, item.spool.open, item.member.modified
                    )
                finally:
                    item.spool.close()
        finally:
            cancel.set()
            _drain(handoff, thread)


class _Writer(py7zr.io.Py7zIO):
    """Receives one member's bytes from py7zr (in the helper thread)."""

    def __init__(self, factory: _Factory, member: _Member) -> None:
        self._factory = factory
        self.member = member
        self.spool = Spool(member.ref.display(), factory.budget.limits.spool_bytes)

    def write(self, s: bytes | bytearray) -> int:
        if self._factory.cancel.is_set():
            raise _Cancelled
        if self.spool.size + len(s) > self.member.size:
            raise EvidenceReadError(
                self.member.ref.display(),
                "archive_bomb",
                f"holds more than its declared {self.member.size} bytes",
            )
        self.spool.write(bytes(s))
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self.spool.size

    def close(self) -> None:
        # Called by py7zr only when the member decompressed and passed its CRC check.
        self._factory.current = None
        self._factory.hand_over(_Finished(self.member, self.spool))


class _Factory(py7zr.io.WriterFactory):
    def __init__(
        self,
        members: dict[int, _Member],
        handoff: queue.Queue[_Finished | _Failed | None],
        cancel: threading.Event,
        budget: Budget,
    ) -> None:
        self.members = members
        self.handoff = handoff
        self.cancel = cancel
        self.budget = budget
        self.current: _Writer | None = None

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        self.current = _Writer(self, self.members[int(filename)])
        return self.current

    def hand_over(self, item: _Finished | _Failed | None) -> None:
        """Wait until the consumer takes ``item``; ``_Cancelled`` if it stopped."""
        while not self.cancel.is_set():
            try:
                self.handoff.put(item, timeout=_WAIT)
                return
            except queue.Full:
                continue
        if isinstance(item, _Finished):
            item.spool.close()
        raise _Cancelled


def _produce(archive: py7zr.SevenZipFile, factory: _Factory) -> None:
    """Decompress every registered member (in the helper thread), then hand over ``None``."""
    try:
        # py7zr's public extract resolves names against the working directory and refuses
        # traversal names outright; its worker with per-member writers reads every member.
        archive.worker.extract(archive.fp, None, parallel=False)
        factory.hand_over(None)
    except _Cancelled:
        pass
    except Exception as exc:
        failed = factory.current
        kind, reason = _classify(exc, "cannot decompress")
        try:
            factory.hand_over(_Failed(failed.member if failed else None, kind.value, reason))
        except _Cancelled:
            pass
    finally:
        # A member cut off by a failure or by the consumer stopping is never handed over.
        if factory.current is not None:
            factory.current.spool.close()


def _drain(handoff: queue.Queue[_Finished | _Failed | None], thread: threading.Thread) -> None:
    while thread.is_alive():
        try:
            item = handoff.get(timeout=_WAIT)
        except queue.Empty:
            continue
        if isinstance(item, _Finished):
            item.spool.close()
    thread.join()


def _classify(exc: BaseException, context: str) -> tuple[ProblemKind, str]:
    if isinstance(exc, py7zr.exceptions.PasswordRequired):
        return ProblemKind.ENCRYPTED, "needs a password"
    if isinstance(exc, py7zr.exceptions.UnsupportedCompressionMethodError):
        return ProblemKind.UNSUPPORTED, f"{context}: unsupported compression method"
    if isinstance(exc, py7zr.exceptions.CrcError):
        return ProblemKind.CORRUPT, f"{context}: CRC mismatch, the data is damaged"
    if isinstance(exc, lzma.LZMAError | py7zr.exceptions.Bad7zFile):
        return ProblemKind.CORRUPT, f"{context}: {exc}"
    kind, reason = classify_error(exc)
    return ProblemKind(kind), f"{context}: {reason}"


def _kind(item: _Failed) -> tuple[ProblemKind, str]:
    return ProblemKind(item.kind), item.reason


def _time(item: Any) -> datetime | None:
    try:
        stamp = item.lastwritetime
        return None if stamp is None else datetime.fromtimestamp(stamp.totimestamp(), UTC)
    except (OverflowError, ValueError, OSError, AttributeError):
        return None
