"""Zip archives: members listed from the central directory, each read on demand.

Guards: encrypted members and unsupported methods are reported and skipped; a member whose
declared size over its compressed size is over ``max_ratio`` is an ``archive_bomb``; so is an
archive whose declared expansion or member count is over what its ``Budget`` has left, or whose
entries overlap (the "quoted overlap" zip bomb); each member stream fails past its declared
size, so a lying header cannot expand further. An archive without its central directory is
read from its local headers instead (``zip_recovery``).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

from interlink.domain.errors import ClosedEntryError, EvidenceReadError
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.sources.base import Entry
from interlink.sources.budget import Budget
from interlink.sources.names import UniquePaths, member_name, name_problems
from interlink.sources.streams import GuardedReader, buffered, classify_error
from interlink.sources.zip_recovery import recover_zip

_SUPPORTED = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_METHODS = {9: "Deflate64", 93: "Zstandard", 95: "XZ", 96: "JPEG", 97: "WavPack", 98: "PPMd"}
_ENCRYPTED = 0x1
_UTF8 = 0x800
_LOCAL_HEADER = 30
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


class ZipSource:
    """The members of the zip archive in seekable ``stream``, as ``ref.child("zip", path)``.

    Member streams may be opened any number of times until the iteration ends (the archive is
    closed then); a member whose content turns out corrupt raises ``EvidenceReadError`` while
    it is read. ``stream`` stays open: the caller owns it.
    """

    def __init__(self, stream: BinaryIO, ref: SourceRef, budget: Budget) -> None:
        self._stream = stream
        self._ref = ref
        self._budget = budget
        self._closed = False

    def entries(self) -> Iterator[Entry | Problem]:
        """Every member, with problems for the bad ones (see the module docstring)."""
        try:
            archive = zipfile.ZipFile(self._stream)
        except Exception as exc:
            # zipfile raises many types on hostile input; the archive as a whole is unreadable.
            if self._lacks_directory(exc):
                yield from recover_zip(self._stream, self._ref, self._budget)
            else:
                yield self._unreadable(exc)
            return
        try:
            yield from self._members(archive)
        finally:
            self._closed = True
            archive.close()

    def _members(self, archive: zipfile.ZipFile) -> Iterator[Entry | Problem]:
        infos = archive.infolist()
        files = [info for info in infos if not (info.is_dir() and info.file_size == 0)]
        expansion = sum(max(0, info.file_size - info.compress_size) for info in files)
        overlap = _overlap(infos, archive.start_dir)
        if overlap:
            yield Problem(self._ref, ProblemKind.ARCHIVE_BOMB, overlap)
            return
        if not self._budget.take_members(len(files)):
            message = self._budget.members_message(len(files))
            yield Problem(self._ref, ProblemKind.ARCHIVE_BOMB, message)
            return
        if not self._budget.take_bytes(expansion):
            message = self._budget.bytes_message(expansion)
            yield Problem(self._ref, ProblemKind.ARCHIVE_BOMB, message)
            return
        unique = UniquePaths()
        for info in files:
            yield from self._member(archive, info, unique)

    def _member(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, unique: UniquePaths
    ) -> Iterator[Entry | Problem]:
        raw = info.orig_filename.encode("utf-8" if info.flag_bits & _UTF8 else "cp437")
        name = member_name(raw)
        ref = self._ref.child("zip", unique.claim(name.path))
        yield from name_problems(ref, info.orig_filename, name)
        if info.flag_bits & _ENCRYPTED:
            yield Problem(ref, ProblemKind.ENCRYPTED, "member is encrypted; not read")
            return
        if info.compress_type not in _SUPPORTED:
            method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
            yield Problem(ref, ProblemKind.UNSUPPORTED, f"{method} compression; not read")
            return
        limits = self._budget.limits
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            yield Problem(
                ref,
                ProblemKind.ARCHIVE_BOMB,
                f"expands {info.compress_size} compressed bytes to {info.file_size} bytes, "
                f"over the ratio limit of {limits.max_ratio:g}; not read",
            )
            return
        yield Entry(
            ref=ref,
            size=info.file_size,
            open=lambda: self._open(archive, info, ref),
            modified=_modified(info.extra),
        )

    def _open(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, ref: SourceRef) -> BinaryIO:
        location = ref.display()
        if self._closed:
            raise ClosedEntryError(location)
        try:
            raw = archive.open(info)
        except Exception as exc:
            kind, reason = classify_error(exc)
            raise EvidenceReadError(location, kind, reason) from exc
        return buffered(GuardedReader(raw, location, info.file_size, exact=True))

    def _lacks_directory(self, exc: Exception) -> bool:
        """Whether the archive starts with a member but has no central directory."""
        self._stream.seek(0)
        return self._stream.read(4) == b"PK\x03\x04" and "not a zip file" in str(exc)

    def _unreadable(self, exc: Exception) -> Problem:
        kind, reason = classify_error(exc)
        return Problem(self._ref, ProblemKind(kind), f"cannot read the zip archive: {reason}")


def _overlap(infos: list[zipfile.ZipInfo], directory_start: int) -> str | None:
    """Why the entries' local data overlap each other or the central directory, if they do."""
    ordered = sorted(infos, key=lambda info: info.header_offset)
    bounds = [*(info.header_offset for info in ordered[1:]), directory_start]
    for info, bound in zip(ordered, bounds, strict=True):
        name_length = len(info.orig_filename.encode("utf-8" if info.flag_bits & _UTF8 else "cp437"))
        end = info.header_offset + _LOCAL_HEADER + name_length + info.compress_size
        if end > bound:
            return (
                f"entry {info.orig_filename!r} overlaps the data of another entry or the "
                "central directory (an overlapping-entry zip bomb); not expanded"
            )
    return None


def _modified(extra: bytes) -> datetime | None:
    """The UTC modification time from the extended-timestamp or NTFS extra field, if any.

    The DOS date and time in the header are local time of an unknown zone, so they are not used.
    """
    try:
        return _parse_modified(extra)
    except (OverflowError, ValueError, OSError):
        return None


def _parse_modified(extra: bytes) -> datetime | None:
    position = 0
    while position + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4 : position + 4 + size]
        position += 4 + size
        if tag == 0x5455 and len(body) >= 5 and body[0] & 1:
            (seconds,) = struct.unpack_from("<i", body, 1)
            return datetime.fromtimestamp(seconds, UTC)
        if tag == 0x000A and len(body) >= 32:
            attribute, length = struct.unpack_from("<HH", body, 4)
            if attribute == 1 and length >= 24:
                (ticks,) = struct.unpack_from("<Q", body, 8)
                return _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
    return None
