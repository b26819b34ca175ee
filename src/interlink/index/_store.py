"""An index directory: immutable segment bundles, deletion bitmaps, and one manifest.

``MANIFEST.json`` names the segment and bitmap files that make up the index. Segment files
never change once written; a save writes only files the directory lacks, then replaces the
manifest atomically, then removes files no manifest names. A crash at any point leaves the old
manifest or the new one, each naming complete files. One writer at a time holds ``LOCK``
exclusively; readers hold it shared while opening.
"""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from interlink.domain.errors import IndexCorruptError
from interlink.index.bundle import atomic_file

MANIFEST = "MANIFEST.json"
_LOCK = "LOCK"
_OWNED = re.compile(r"^(seg-[0-9a-f]{32}\.ilb|del-[0-9a-f]{32}\.ilb|\..*\.tmp)$")


@contextmanager
def locked(directory: Path, *, shared: bool) -> Iterator[None]:
    """Hold the directory's lock (creating the directory when writing). Readers open the lock
    read-only, so an index on read-only storage opens too."""
    if not shared:
        if directory.exists() and not directory.is_dir():
            raise IndexCorruptError(str(directory), "exists and is not an index directory")
        directory.mkdir(parents=True, exist_ok=True)
    elif not (directory / MANIFEST).is_file():
        raise IndexCorruptError(str(directory), "no index manifest here")
    try:
        handle = open(directory / _LOCK, "rb" if shared else "a+b")
    except FileNotFoundError:
        yield  # saved by no writer that locks: nothing to wait for
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    """Replace the manifest atomically and durably."""
    with atomic_file(directory / MANIFEST) as handle:
        handle.write(json.dumps(manifest, indent=1).encode())


def read_manifest(directory: Path, expected_format: str) -> dict[str, Any]:
    """The manifest, checked to be of ``expected_format``."""
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(str(path), str(exc)) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != expected_format:
        raise IndexCorruptError(str(path), f"not an {expected_format} manifest")
    return manifest


def remove_unreferenced(directory: Path, keep: set[str]) -> None:
    """Delete segment, bitmap and temporary files of this format that ``keep`` does not name."""
    for entry in directory.iterdir():
        if _OWNED.match(entry.name) and entry.name not in keep:
            entry.unlink(missing_ok=True)


def segment_file(name: str) -> str:
    """File name of the segment called ``name``."""
    return f"seg-{name}.ilb"


def deletions_file(token: str) -> str:
    """File name of the deletion bitmap saved under ``token``."""
    return f"del-{token}.ilb"
