"""What The Sleuth Kit sees of one file system: deleted files, and which blocks files claim.

dfVFS lists only allocated files (its TSK and libyal back-ends skip unallocated names), so the
deleted files a file system still describes and the map of claimed blocks (for carving what is
left) come from walking the same volume with ``pytsk3`` directly, through the TSK file system
that dfVFS opens on the volume's path specification.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytsk3

_DIRECTORIES = (pytsk3.TSK_FS_META_TYPE_DIR, pytsk3.TSK_FS_META_TYPE_VIRT_DIR)
_CONTENT = (pytsk3.TSK_FS_META_TYPE_REG, pytsk3.TSK_FS_META_TYPE_VIRT)
_DATA_ATTRIBUTES = (pytsk3.TSK_FS_ATTR_TYPE_DEFAULT, pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
_NOT_ON_DISK = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER)
#: Directory depth past which a walk stops (a damaged file system can loop).
MAX_DEPTH = 256


@dataclass(slots=True)
class TskFile:
    """A file TSK found: where, which metadata entry, whether deleted, and its block runs."""

    path: str
    inode: int
    size: int
    deleted: bool
    #: The metadata entry now belongs to another (allocated) file: the content is not this one's.
    reused: bool
    runs: list[tuple[int, int]] = field(default_factory=list)
    times: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class TskWalk:
    """Every file of a file system TSK lists, and the trouble met on the way."""

    block_size: int
    block_count: int
    files: list[TskFile] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def claimed(self) -> np.ndarray:
        """Merged ``[start, end)`` block ranges that any listed file claims, as an (n, 2)
        array: allocated files and deleted ones alike."""
        runs = [run for item in self.files for run in item.runs if run[1] > 0]
        return merge_runs(runs)

    def allocated(self) -> np.ndarray:
        """Merged block ranges claimed by allocated files only."""
        return merge_runs([run for item in self.files if not item.deleted for run in item.runs])


def merge_runs(runs: list[tuple[int, int]]) -> np.ndarray:
    """``(start, length)`` runs as sorted, merged ``[start, end)`` ranges, shape (n, 2)."""
    if not runs:
        return np.zeros((0, 2), dtype=np.int64)
    array = np.array(sorted(runs), dtype=np.int64)
    starts, ends = array[:, 0], array[:, 0] + array[:, 1]
    merged: list[list[int]] = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return np.array(merged, dtype=np.int64)


def overlaps(ranges: np.ndarray, runs: list[tuple[int, int]]) -> bool:
    """Whether any ``(start, length)`` run meets one of the merged ``ranges``."""
    if len(ranges) == 0:
        return False
    for start, length in runs:
        index = int(np.searchsorted(ranges[:, 1], start, side="right"))
        if index < len(ranges) and ranges[index, 0] < start + length:
            return True
    return False


def gaps(ranges: np.ndarray, total: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` block ranges of ``[0, total)`` that ``ranges`` leave free."""
    free: list[tuple[int, int]] = []
    position = 0
    for start, end in ranges.tolist():
        if start > position:
            free.append((position, min(start, total)))
        position = max(position, end)
    if position < total:
        free.append((position, total))
    return [(start, end) for start, end in free if end > start]


def walk(fs_info: Any) -> TskWalk:
    """Walk every directory from the root, deleted ones and ``$OrphanFiles`` included."""
    info = fs_info.info
    result = TskWalk(int(info.block_size), int(info.block_count))
    seen: set[int] = set()
    stack: list[tuple[int, str, int]] = [(int(info.root_inum), "", 0)]
    while stack:
        inode, path, depth = stack.pop()
        if inode in seen or depth > MAX_DEPTH:
            continue
        seen.add(inode)
        try:
            directory = fs_info.open_dir(inode=inode)
        except OSError as exc:
            result.problems.append((path or "/", f"cannot list the folder: {exc}"))
            continue
        for entry in directory:
            found = _visit(entry, path, result)
            if found is not None:
                stack.append((found[0], found[1], depth + 1))
    return result


def _visit(entry: Any, parent: str, result: TskWalk) -> tuple[int, str] | None:
    """Record one directory entry; a folder to walk comes back as ``(inode, path)``."""
    name_info = getattr(entry.info, "name", None)
    meta = getattr(entry.info, "meta", None)
    if name_info is None or meta is None:
        return None  # a deleted name whose metadata is gone: nothing left to read
    raw = name_info.name
    if raw in (b".", b".."):
        return None
    name = raw.decode("utf-8", "backslashreplace")
    path = f"{parent}/{name}"
    name_deleted = bool(int(name_info.flags) & int(pytsk3.TSK_FS_NAME_FLAG_UNALLOC))
    meta_deleted = bool(int(meta.flags) & int(pytsk3.TSK_FS_META_FLAG_UNALLOC))
    if meta.type in _DIRECTORIES:
        return int(meta.addr), path
    if meta.type not in _CONTENT:
        return None
    deleted = name_deleted or meta_deleted
    record = TskFile(
        path=path,
        inode=int(meta.addr),
        size=int(meta.size),
        deleted=deleted,
        reused=deleted and not meta_deleted,
        times={
            key: int(getattr(meta, attribute, 0) or 0)
            for key, attribute in (("m", "mtime"), ("a", "atime"), ("c", "ctime"), ("b", "crtime"))
        },
    )
    if not record.reused:
        try:
            record.runs = _runs(entry)
        except OSError as exc:
            result.problems.append((path, f"cannot read the block list: {exc}"))
    result.files.append(record)
    return None


def _runs(entry: Any) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for attribute in entry:
        if attribute.info.type not in _DATA_ATTRIBUTES:
            continue
        for run in attribute:
            if int(run.flags) & _NOT_ON_DISK or run.len <= 0:
                continue
            runs.append((int(run.addr), int(run.len)))
    return runs
