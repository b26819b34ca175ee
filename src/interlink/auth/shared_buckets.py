"""Rate-limit buckets shared by every server process of a node, in a file they all map.

``interlink serve --workers N`` runs N processes; buckets in each process's memory would let
a client make N times the node's limit. Here a key hashes to one of ``SLOTS`` fixed slots of
16 bytes (tokens and last refill time, two doubles) in a file under the node's home; a slot
is updated under a POSIX record lock on its 16 bytes (between processes) and a lock of this
process (between its threads, which POSIX record locks do not separate). Two keys that share
a slot share a bucket: a stricter limit for both, never a looser one. The times are
``time.monotonic`` (system-wide on Linux); a slot written before a reboot is seen as new.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
from collections.abc import Callable
from pathlib import Path

#: Slots per file (16 bytes each: 1 MiB).
SLOTS = 65_536
_SLOT = struct.Struct("<dd")


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _process_lock(path: Path) -> threading.Lock:
    """The one lock of this process for the buckets in ``path``, however many mappings of it
    the process holds (POSIX record locks do not keep its threads apart)."""
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(str(path.resolve()), threading.Lock())


class SharedBuckets:
    """Buckets in ``path`` (created, sized and mapped here; zeroed slots are new buckets)."""

    def __init__(self, path: Path, slots: int = SLOTS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._slots = slots
        size = slots * _SLOT.size
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            if os.fstat(self._fd).st_size < size:
                os.ftruncate(self._fd, size)  # another process may do the same: both agree
            self._map = mmap.mmap(self._fd, size)
        except OSError:
            os.close(self._fd)
            raise
        self._lock = _process_lock(path)

    def _slot(self, key: str) -> int:
        digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        return int.from_bytes(digest, "little") % self._slots

    def update(
        self, key: str, change: Callable[[tuple[float, float] | None], tuple[float, float]]
    ) -> tuple[float, float]:
        """Replace ``key``'s bucket by ``change(bucket)`` under the slot's locks."""
        offset = self._slot(key) * _SLOT.size
        with self._lock:
            fcntl.lockf(self._fd, fcntl.LOCK_EX, _SLOT.size, offset)
            try:
                tokens, last = _SLOT.unpack_from(self._map, offset)
                new = change(None if last == 0.0 else (tokens, last))
                _SLOT.pack_into(self._map, offset, *new)
                return new
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN, _SLOT.size, offset)

    def close(self) -> None:
        """Unmap and close the file."""
        self._map.close()
        os.close(self._fd)
