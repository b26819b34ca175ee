"""Read-only streams over the back-ends of a disk image: dfVFS file objects and TSK files.

Both are seekable windows of known size; any failure of the back-end (a missing or corrupt
EWF segment, an unreadable sector, a damaged run list) becomes ``EvidenceReadError`` naming the
item and the offset that failed, so the scanner records it as a problem of that item.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, BinaryIO

from interlink.domain.errors import EvidenceReadError

#: Reads ``size`` bytes at ``offset``; raises ``OSError`` (or a back-end error) on failure.
ReadAt = Callable[[int, int], bytes]
#: The largest single read when a stream is read whole.
_WHOLE = 16 << 20
#: What a stream reads from its back-end at least (two chunks of an E01).
_BUFFER = 64 << 10


class RandomAccessReader(io.RawIOBase):
    """A read-only, seekable stream of ``size`` bytes served by ``read_at``."""

    def __init__(
        self,
        read_at: ReadAt,
        size: int,
        location: str,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._read_at = read_at
        self._size = size
        self._location = location
        self._position = 0
        self._on_close = on_close

    def close(self) -> None:
        """Closes the stream; ``on_close`` runs once, when it is closed or collected."""
        on_close, self._on_close = self._on_close, None
        try:
            super().close()
        finally:
            if on_close is not None:
                on_close()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self._size - self._position)
        if wanted <= 0:
            return 0
        data = read_checked(self._read_at, self._position, wanted, self._location)
        view[: len(data)] = data
        self._position += len(data)
        return len(data)

    def readall(self) -> bytes:
        # ``read()`` of the whole stream: in pieces of ``_WHOLE`` bytes, not the 8 KB that
        # ``RawIOBase.readall`` asks for (each a call through every back-end: file system,
        # EWF, image file), which made an E01's files cost twice what a folder's do.
        pieces = []
        while self._position < self._size:
            wanted = min(_WHOLE, self._size - self._position)
            pieces.append(read_checked(self._read_at, self._position, wanted, self._location))
            self._position += wanted
        return b"".join(pieces)


def read_checked(read_at: ReadAt, offset: int, size: int, location: str) -> bytes:
    """``read_at(offset, size)``, every failure an ``EvidenceReadError`` naming the offset."""
    try:
        data = read_at(offset, size)
    except Exception as exc:
        # libyal and pytsk3 raise OSError, IOError or plain exceptions on damaged evidence.
        raise EvidenceReadError(
            location, "unreadable", f"cannot read {size} bytes at offset {offset}: {exc}"
        ) from exc
    if len(data) < size:
        raise EvidenceReadError(
            location,
            "truncated",
            f"the image ends at offset {offset + len(data)}, {size - len(data)} bytes early",
        )
    return bytes(data)


def vfs_read_at(file_object: Any) -> ReadAt:
    """A ``ReadAt`` over a dfVFS file object (which has ``seek`` and ``read``)."""

    def read_at(offset: int, size: int) -> bytes:
        file_object.seek(offset, io.SEEK_SET)
        return bytes(file_object.read(size))

    return read_at


def open_reader(
    read_at: ReadAt, size: int, location: str, on_close: Callable[[], None] | None = None
) -> BinaryIO:
    """A buffered read-only stream over ``read_at``; ``on_close`` runs once, as it closes.

    The buffer is what a small read costs: the scan sniffs every file's first bytes before it
    reads the file, and a 1 MB buffer read most files whole just for that. Larger reads, and
    ``read()`` of the whole stream, go to the back-end in one call.
    """
    return io.BufferedReader(
        RandomAccessReader(read_at, size, location, on_close), buffer_size=_BUFFER
    )
