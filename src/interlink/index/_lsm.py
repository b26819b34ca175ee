"""What exact and Hamming indexes share: a list of immutable segments plus a small in-memory
run of recent additions, merged log-structured style, saved as an index directory.

Adds go to the in-memory run; when it reaches ``flush_rows`` it becomes a segment (a bulk add
of at least that many rows becomes one directly). After each new segment, the two newest are
merged while the newer holds more than ``1 / MERGE_RATIO`` of the older's live rows, so sizes
fall geometrically and a query meets ``O(log n)`` segments; every row is rewritten
``O(log n)`` times in all. Removal marks rows in a segment's deletion bitmap; a segment more
than half deleted is rewritten without them. Nothing ever rebuilds the whole index, except an
explicit ``compact()``.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

import numpy as np
import numpy.typing as npt

from interlink.domain.errors import IndexCorruptError
from interlink.index._rows import DeletionMap, Rows
from interlink.index._store import (
    deletions_file,
    locked,
    read_manifest,
    remove_unreferenced,
    segment_file,
    write_manifest,
)
from interlink.index.bundle import open_bundle, write_bundle

MERGE_RATIO = 4
_PAGE = 4096


def touch_pages(array: npt.NDArray[Any]) -> int:
    """Read one byte of every page ``array`` spans (faulting a mapped file's pages in); return
    its size in bytes."""
    if array.size == 0 or not array.flags.c_contiguous:
        return 0
    raw = array.reshape(-1).view(np.uint8)
    int(raw[::_PAGE].sum(dtype=np.uint64))
    return int(raw.nbytes)


class Segment(Protocol):
    """What the shared machinery needs of a segment."""

    name: str
    deleted: DeletionMap

    def __len__(self) -> int: ...

    @property
    def live_rows(self) -> int: ...

    @property
    def nbytes(self) -> int: ...

    def rows_of(self, ids: npt.NDArray[np.int64]) -> Rows: ...

    def bundle(self) -> tuple[dict[str, npt.NDArray[Any]], dict[str, Any]]: ...


def as_ids(ids: Iterable[int] | npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Ids as a 1-d ``int64`` array; ``ValueError`` if they are not integers."""
    if isinstance(ids, np.ndarray):
        array = ids
    elif isinstance(ids, (list, tuple, range)):
        array = np.asarray(ids)
    else:
        array = np.fromiter(ids, dtype=np.int64)  # type: ignore[arg-type]
    if array.size == 0:
        return np.empty(0, np.int64)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError("ids must be a flat sequence of integers")
    if array.dtype == np.uint64 and bool((array > np.iinfo(np.int64).max).any()):
        raise ValueError("ids must fit in int64")
    return np.ascontiguousarray(array, dtype=np.int64)


S = TypeVar("S", bound=Segment)


class SegmentedIndex(ABC, Generic[S]):
    """Segments, deletions, merging and persistence; subclasses add the search itself."""

    FORMAT: ClassVar[str]

    def __init__(self, *, flush_rows: int) -> None:
        if flush_rows < 1:
            raise ValueError("flush_rows must be positive")
        self._segments: list[S] = []
        self._flush_rows = flush_rows

    # -- what a concrete index provides -------------------------------------------------------

    @abstractmethod
    def _merged(self, segments: list[S]) -> S:
        """One new segment with the live rows of ``segments``."""

    @abstractmethod
    def _flush(self) -> None:
        """Turn the in-memory run into a segment (through ``_append``), if it holds rows."""

    @abstractmethod
    def _remove_pending(self, ids: npt.NDArray[np.int64]) -> int:
        """Drop in-memory rows with these ids; return how many."""

    @abstractmethod
    def _pending_rows(self) -> int:
        """Rows in the in-memory run."""

    @abstractmethod
    def _options(self) -> dict[str, Any]:
        """Constructor keywords saved in the manifest."""

    @classmethod
    @abstractmethod
    def _open_segment(
        cls, arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any], deleted: DeletionMap
    ) -> S:
        """A segment from its saved bundle; ``ValueError`` if the bundle does not fit."""

    # -- shared behaviour ----------------------------------------------------------------------

    def _append(self, segment: S) -> None:
        if len(segment):
            self._segments.append(segment)
        self._maintain()

    def _maintain(self) -> None:
        segments = [s for s in self._segments if s.live_rows > 0]
        for i, segment in enumerate(segments):
            if segment.deleted.count * 2 > len(segment):
                segments[i] = self._merged([segment])
        while len(segments) >= 2 and segments[-1].live_rows * MERGE_RATIO > segments[-2].live_rows:
            segments[-2:] = [self._merged(segments[-2:])]
        self._segments = segments

    def compact(self) -> None:
        """Merge everything into one segment without deleted rows (a full rebuild)."""
        self._flush()
        if self._segments:
            self._segments = [self._merged(self._segments)]

    def remove(self, ids: Iterable[int]) -> int:
        """Forget every value stored under these ids; return how many pairs went."""
        wanted = np.unique(as_ids(ids))
        if len(wanted) == 0:
            return 0
        removed = self._remove_pending(wanted)
        for segment in self._segments:
            removed += segment.deleted.delete(segment.rows_of(wanted))
        self._maintain()
        return removed

    def __len__(self) -> int:
        return sum(s.live_rows for s in self._segments) + self._pending_rows()

    @property
    def segments(self) -> int:
        """How many segments there are (the in-memory run not counted)."""
        return len(self._segments)

    @property
    def nbytes(self) -> int:
        """Bytes of every segment array (memory-mapped or not), bitmaps included."""
        return sum(s.nbytes for s in self._segments)

    def prefault(self) -> int:
        """Read one byte of every page of every segment's arrays, so that a memory-mapped
        index is resident in this process now rather than page by page at its first queries
        (steady latency, flat memory afterwards); return the bytes covered."""
        covered = 0
        for segment in self._segments:
            arrays, _ = segment.bundle()
            for array in arrays.values():
                covered += touch_pages(array)
        return covered

    def save(self, path: Path) -> None:
        """Persist to the directory ``path`` atomically: write the segment files it lacks, then
        replace its manifest, then delete files no longer named. A crash leaves the previous
        state readable."""
        directory = Path(path)
        self._flush()
        with locked(directory, shared=False):
            keep: set[str] = set()
            entries = []
            for segment in self._segments:
                name = segment_file(segment.name)
                if not (directory / name).exists():
                    arrays, meta = segment.bundle()
                    write_bundle(directory / name, arrays, meta)
                keep.add(name)
                deleted_name = None
                if segment.deleted.count:
                    if segment.deleted.token is None:
                        segment.deleted.token = uuid.uuid4().hex
                    deleted_name = deletions_file(segment.deleted.token)
                    if not (directory / deleted_name).exists():
                        write_bundle(
                            directory / deleted_name,
                            {"bitmap": segment.deleted.bitmap},
                            {"segment": segment.name, "deleted": segment.deleted.count},
                        )
                    keep.add(deleted_name)
                entries.append({"segment": name, "rows": len(segment), "deleted": deleted_name})
            manifest = {"format": self.FORMAT, "segments": entries, "options": self._options()}
            write_manifest(directory, manifest)
            remove_unreferenced(directory, keep)

    @classmethod
    def _load_into(cls, index: Self, path: Path, *, memory_map: bool) -> Self:
        directory = Path(path)
        with locked(directory, shared=True):
            manifest = read_manifest(directory, cls.FORMAT)
            for entry in manifest["segments"]:
                arrays, meta = open_bundle(directory / entry["segment"], memory_map=memory_map)
                rows = int(entry["rows"])
                deleted_name = entry.get("deleted")
                try:
                    if deleted_name:
                        saved, _ = open_bundle(directory / deleted_name, memory_map=False)
                        deleted = DeletionMap(rows, saved["bitmap"])
                        deleted.token = str(deleted_name)[4:-4]
                    else:
                        deleted = DeletionMap(rows)
                    index._segments.append(cls._open_segment(arrays, meta, deleted))
                except (ValueError, KeyError, TypeError) as exc:
                    raise IndexCorruptError(str(directory / entry["segment"]), str(exc)) from exc
        return index

    @classmethod
    def saved_options(cls, path: Path) -> dict[str, Any]:
        """The constructor keywords a saved index was created with."""
        options = read_manifest(Path(path), cls.FORMAT).get("options", {})
        return dict(options) if isinstance(options, dict) else {}
