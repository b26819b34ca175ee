"""Recovering the members of a zip archive whose central directory is missing.

A zip cut short (a partial download, a carved file) loses its central directory, which is at the
end. Its members can still be read front to back from their local headers (``stream-unzip``):
every complete member is copied into a ``Spool`` and yielded; the first member that cannot be
read ends the iteration with its problem, and a final ``truncated`` problem names the archive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import stream_unzip

from interlink.domain.errors import EvidenceReadError
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.sources.base import Entry
from interlink.sources.budget import Budget
from interlink.sources.names import UniquePaths, member_name, name_problems
from interlink.sources.spooling import RatioGuard, spool_stream
from interlink.sources.streams import CHUNK, CountingReader, classify_error


class _Chunks:
    """The chunks of one member as a readable stream (a chunk per ``read``)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def read(self, size: int = -1, /) -> bytes:
        return next(self._chunks, b"")

    def close(self) -> None:
        return None


def recover_zip(stream: BinaryIO, ref: SourceRef, budget: Budget) -> Iterator[Entry | Problem]:
    """Every member readable from the local headers of the zip in ``stream``, as
    ``ref.child("zip", path)``, then the problems (see the module docstring).

    ``stream`` stays open: the caller owns it. Each entry's ``open`` is valid until the
    iteration moves on.
    """
    stream.seek(0)
    counter = CountingReader(stream)
    chunks = iter(lambda: counter.read(CHUNK), b"")
    ratio = RatioGuard(budget, lambda: counter.count)
    unique = UniquePaths()
    recovered = 0
    stopped = ""
    members = stream_unzip.stream_unzip(chunks)
    try:
        for raw_name, _size, content in members:
            name = member_name(raw_name)
            member = ref.child("zip", unique.claim(name.path))
            if not budget.take_members(1):
                yield Problem(ref, ProblemKind.ARCHIVE_BOMB, budget.members_message(1))
                return
            try:
                spool = spool_stream(
                    _Chunks(content), member.display(), budget, ratio, declared=None, charge=True
                )
            except EvidenceReadError as exc:
                yield Problem(member, ProblemKind(exc.kind), exc.reason)
                break
            yield from name_problems(member, raw_name, name)
            try:
                yield Entry(member, spool.size, spool.open)
            finally:
                spool.close()
            recovered += 1
    except Exception as exc:
        # stream-unzip raises many types on hostile input; reading cannot go on past it.
        kind, reason = _classify(exc)
        if kind is ProblemKind.TRUNCATED:
            stopped = f"; {reason}"
        else:
            yield Problem(ref, kind, f"reading from the local headers stopped: {reason}")
    finally:
        members.close()
    yield Problem(
        ref,
        ProblemKind.TRUNCATED,
        f"zip archive without its central directory (cut short?); {recovered} "
        f"member{'' if recovered == 1 else 's'} recovered from their local headers{stopped}",
    )


def _classify(exc: BaseException) -> tuple[ProblemKind, str]:
    if isinstance(exc, stream_unzip.TruncatedDataError):
        return ProblemKind.TRUNCATED, "the data ends inside a member"
    if isinstance(exc, stream_unzip.MissingPasswordError):
        return ProblemKind.ENCRYPTED, "an encrypted member needs a password"
    if isinstance(exc, stream_unzip.UnsupportedFeatureError):
        return ProblemKind.UNSUPPORTED, f"unsupported zip feature ({type(exc).__name__})"
    kind, reason = classify_error(exc)
    return ProblemKind(kind), reason
