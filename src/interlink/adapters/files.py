"""Files this node writes (exports, reports, referrals): written whole or not at all; and files
a user names as input (list files), opened read-only without ever blocking."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from interlink.domain.errors import EvidenceReadError, NotFoundError
from interlink.sources.readonly import open_readonly


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary stream whose content replaces ``path`` only when the block ends without an
    error: a crash or a failed export never leaves a half-written file under ``path``."""
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    output_folder(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def output_folder(path: Path) -> Path:
    """``path``, made a folder if it is not one yet (with its parents); ``NotADirectoryError``
    naming the file in the way when something else is there."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise NotADirectoryError(
            errno.ENOTDIR, "is there and is not a folder", exc.filename
        ) from None
    return path


def open_input(path: Path) -> BinaryIO:
    """The regular file at ``path`` (links followed), read-only: ``NotFoundError`` when there
    is none, ``EvidenceReadError`` naming ``path`` when it is a folder, a FIFO (which would
    block a plain ``open``), a device, or cannot be opened."""
    if not path.exists():
        raise NotFoundError("file", str(path))
    try:
        return open_readonly(os.path.realpath(path))
    except EvidenceReadError as exc:
        raise EvidenceReadError(str(path), exc.kind, exc.reason) from None


def read_input_text(path: Path, what: str = "file") -> str:
    """The whole text (UTF-8) of the regular file at ``path``, opened as ``open_input`` does
    (never blocking on a FIFO): ``NotFoundError`` naming ``what`` when there is none,
    ``EvidenceReadError`` when it is not a readable regular file, ``FormatError`` when it is
    not UTF-8 text."""
    from interlink.domain.errors import FormatError

    if not path.exists():
        raise NotFoundError(what, str(path))
    with open_input(path) as stream:
        data = stream.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", str(path)) from None
