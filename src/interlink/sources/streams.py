"""Read-only stream wrappers shared by the container readers.

``GuardedReader`` enforces a member's declared size and turns any failure of the underlying
reader into ``EvidenceReadError``; ``RangeReader`` is a window on a seekable stream; ``Spool``
holds a finished copy of a one-shot stream (in memory up to a bound, then in an unlinked
temporary file) and hands out fresh views of it; ``CountingReader`` counts what a decompressor
consumed, for ratio checks.
"""

from __future__ import annotations

import io
import tempfile
import threading
from collections.abc import Callable
from typing import BinaryIO, Protocol

from interlink.domain.errors import ClosedEntryError, EvidenceReadError

CHUNK = 1 << 20
_BUFFER = 1 << 13


class Readable(Protocol):
    """Anything with ``read`` and ``close`` (a file, a decompressor, a raw stream)."""

    def read(self, size: int = -1, /) -> bytes | None: ...

    def close(self) -> None: ...


#: Turns an exception raised by a reader into a (problem kind, message) pair.
Classifier = Callable[[BaseException], tuple[str, str]]


def classify_error(exc: BaseException) -> tuple[str, str]:
    """The problem kind and message for an exception raised while reading evidence."""
    if isinstance(exc, EvidenceReadError):
        return exc.kind, exc.reason
    if isinstance(exc, EOFError):
        return "truncated", f"data ends early ({exc or 'end of file'})"
    if isinstance(exc, OSError) and exc.errno is not None:
        return "unreadable", f"read failed: {exc.strerror or exc}"
    text = str(exc) or type(exc).__name__
    if "unexpected end" in text or "ended before" in text or "truncated" in text.lower():
        return "truncated", f"data ends early ({text})"
    return "corrupt", f"cannot decode ({type(exc).__name__}: {text})"


class GuardedReader(io.RawIOBase):
    """Reads ``raw``, failing with ``EvidenceReadError`` past ``declared`` bytes or on any error.

    With ``exact``, ending before ``declared`` bytes is a ``truncated`` error too. Closing the
    guard closes ``raw``.
    """

    def __init__(
        self,
        raw: Readable,
        location: str,
        declared: int | None,
        *,
        exact: bool = False,
        classify: Classifier = classify_error,
    ) -> None:
        super().__init__()
        self._raw = raw
        self._location = location
        self._declared = declared
        self._exact = exact
        self._classify = classify
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        want = len(view)
        if self._declared is not None:
            # Ask for one byte more than declared so that a lying header shows.
            want = min(want, self._declared - self._count + 1)
        try:
            data = (self._raw.read(want) or b"") if want > 0 else b""
        except Exception as exc:
            # Hostile input makes decoders raise anything; each failure is this item's problem.
            kind, reason = self._classify(exc)
            raise EvidenceReadError(self._location, kind, reason) from exc
        self._count += len(data)
        if self._declared is not None and self._count > self._declared:
            raise EvidenceReadError(
                self._location,
                "archive_bomb",
                f"holds more than its declared {self._declared} bytes",
            )
        if not data and self._exact and self._declared is not None:
            if self._count < self._declared:
                raise EvidenceReadError(
                    self._location,
                    "truncated",
                    f"ends after {self._count} of its declared {self._declared} bytes",
                )
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()


class RangeReader(io.RawIOBase):
    """The ``size`` bytes of seekable ``raw`` that start at ``start``; seekable within them."""

    def __init__(self, raw: BinaryIO, start: int, size: int) -> None:
        super().__init__()
        self._raw = raw
        self._start = start
        self._size = size
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._size - self._pos)
        if want <= 0:
            return 0
        self._raw.seek(self._start + self._pos)
        data = self._raw.read(want)
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()


class CountingReader(io.RawIOBase):
    """Passes reads through to ``raw`` and counts the bytes read (``count``)."""

    def __init__(self, raw: Readable) -> None:
        super().__init__()
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        data = self._raw.read(len(view)) or b""
        view[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()


class Spool:
    """A finished copy of a one-shot stream, readable any number of times until ``close``.

    Up to ``memory_bytes`` stay in memory; beyond that the copy moves to an unlinked temporary
    file, removed on ``close`` (or when the process ends).
    """

    def __init__(self, location: str, memory_bytes: int) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=memory_bytes)
        self._lock = threading.Lock()
        self._location = location
        self.size = 0
        self.closed = False

    def write(self, data: bytes) -> None:
        """Append ``data`` (only while filling, before the first ``open``)."""
        self._file.write(data)
        self.size += len(data)

    def open(self) -> BinaryIO:
        """A fresh seekable stream of the whole copy; ``ClosedEntryError`` once closed."""
        if self.closed:
            raise ClosedEntryError(self._location)
        return io.BufferedReader(_SpoolView(self), buffer_size=_BUFFER)

    def read_at(self, position: int, size: int) -> bytes:
        """Up to ``size`` bytes from ``position``."""
        with self._lock:
            if self.closed:
                raise ClosedEntryError(self._location)
            self._file.seek(position)
            return self._file.read(size)

    def close(self) -> None:
        """Drop the copy; later ``open`` calls fail."""
        with self._lock:
            self.closed = True
            self._file.close()


class _SpoolView(io.RawIOBase):
    def __init__(self, spool: Spool) -> None:
        super().__init__()
        self._spool = spool
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._spool.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        data = self._spool.read_at(self._pos, len(view))
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)


def buffered(raw: io.RawIOBase) -> BinaryIO:
    """``raw`` behind a read buffer, as the binary stream entries hand out."""
    return io.BufferedReader(raw, buffer_size=_BUFFER)
