"""Opening evidence files read-only, without following links and without blocking.

Every file of an exhibit is opened through ``open_readonly``: ``O_RDONLY``, ``O_NOATIME`` where
the kernel permits it (so reading does not change the access time), ``O_NOFOLLOW`` (the caller
passes a resolved path; a link swapped in later is refused) and ``O_NONBLOCK`` (a FIFO swapped in
later cannot hang the scan). Anything but a regular file is refused after opening.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

from interlink.domain.errors import EvidenceReadError
from interlink.sources.streams import GuardedReader, buffered

_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
_NOATIME = getattr(os, "O_NOATIME", 0)

#: The system call used to open files; a seam for tests that simulate refusals as root.
_os_open = os.open


def open_readonly(path: bytes | str | os.PathLike[str], *, buffering: int = 1 << 16) -> BinaryIO:
    """A buffered read-only stream of the regular file at ``path``.

    Raises ``EvidenceReadError`` (kind ``unreadable``) when the system refuses to open it or it
    is not a regular file (a FIFO, socket, device, directory or link).
    """
    location = os.fsdecode(path)
    try:
        fd = _open_fd(path)
    except OSError as exc:
        raise EvidenceReadError(location, "unreadable", _describe(exc)) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise EvidenceReadError(location, "unreadable", f"not a regular file ({_type(mode)})")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=buffering)
    except BaseException:
        os.close(fd)
        raise


def _open_fd(path: bytes | str | os.PathLike[str]) -> int:
    if _NOATIME:
        try:
            return _os_open(path, _FLAGS | _NOATIME)
        except PermissionError as exc:
            # O_NOATIME needs ownership of the file or CAP_FOWNER; fall back without it.
            if exc.errno != errno.EPERM:
                raise
    return _os_open(path, _FLAGS)


def _describe(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "cannot open: it is a link (links are resolved before opening)"
    reason = exc.strerror or type(exc).__name__
    return f"cannot open: {reason}"


def _type(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISLNK, "a link"),
    ):
        if test(mode):
            return name
    return "an unknown file type"


def file_type(mode: int) -> str:
    """A readable name for the file type in ``mode`` (for problem messages)."""
    return "a regular file" if stat.S_ISREG(mode) else _type(mode)


def open_evidence(path: bytes | str | os.PathLike[str]) -> BinaryIO:
    """Like ``open_readonly``, but a failing read raises ``EvidenceReadError`` too."""
    raw = open_readonly(path, buffering=0)
    return buffered(GuardedReader(raw, os.fsdecode(path), None))
