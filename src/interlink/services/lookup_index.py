"""The enabled lists' indexes as a server process keeps them for lookups: one set of indexes
per list, refreshed list by list.

Each list's indexes (``KnownIndexes`` of its entries alone) are built for one import
generation of the list. Every ``recheck`` seconds one small query reads the lists' ids,
names, generations, thresholds and enabled flags; only a list whose generation changed (or a
new list) is built again, a removed or disabled list is dropped. Importing a list of ten
thousand entries next to one of ten million therefore costs the ten thousand, not the ten
million. While one thread refreshes, the others go on answering from the previous snapshot.

A list's indexes come with its entries' labels (category and series, ``EntryLabels``), so a
lookup answers from memory without reading the database at all.

With a ``home``, built indexes are saved under ``home/indexes/lists`` (one directory per store,
list and generation) and opened memory-mapped by every other server process and every later
start, so the workers of one server share one copy of a ten-million-code index in the page
cache, and only the first process to need a generation builds it (the others wait on a file
lock, then open it).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import select

from interlink.adapters.sql.schema import entry_signals, hash_lists, list_entries
from interlink.adapters.sql.store import SqlStore
from interlink.background import BackgroundThread
from interlink.domain.categories import Category
from interlink.domain.errors import IndexCorruptError
from interlink.index._lsm import touch_pages
from interlink.index.codes import codes_from_hex
from interlink.index.exact import ExactIndex
from interlink.signals import pdq
from interlink.triage.known import EXACT_TYPES, KnownIndexes

_log = logging.getLogger(__name__)
#: The thread that re-reads the lists' states in the background, shared by every
#: ``LookupIndex`` of the process and started once: a request handing a check over only queues
#: it (starting a thread would wait, on the event loop, for the new thread to get the
#: interpreter lock and a core).
_REFRESHER = BackgroundThread("lookup-index-refresh")

#: Rows read from the database at a time while building.
_CHUNK = 100_000


@dataclass(frozen=True, slots=True)
class ListState:
    """What a lookup needs to know of a list besides its entries."""

    id: int
    name: str
    generation: int
    threshold: int
    enabled: bool
    #: When the list was imported (tells apart two stores that reused a URL).
    imported_at: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    """What a lookup says of an entry besides its list: its category and series."""

    category: str | None
    series: str | None


@dataclass(frozen=True, slots=True)
class EntryLabels:
    """The labels of a list's entries: entry ids (sorted), the position of each one's label
    in ``labels``. Memory: 12 bytes an entry, memory-mapped when opened from disk."""

    ids: npt.NDArray[np.int64]
    label_of: npt.NDArray[np.int32]
    labels: tuple[Label, ...]

    def get(self, entry_id: int) -> Label | None:
        """The entry's label, or ``None`` if the entry is not in the list."""
        at = int(np.searchsorted(self.ids, entry_id))
        if at >= len(self.ids) or int(self.ids[at]) != entry_id:
            return None
        return self.labels[int(self.label_of[at])]

    def get_many(self, entry_ids: npt.NDArray[np.int64]) -> list[Label | None]:
        """``get`` of each id, in one search of the sorted ids (a lookup's hits at once)."""
        if len(self.ids) == 0 or len(entry_ids) == 0:
            return [None] * len(entry_ids)
        at = np.searchsorted(self.ids, entry_ids)
        inside = np.minimum(at, len(self.ids) - 1)
        present = (at < len(self.ids)) & (self.ids[inside] == entry_ids)
        positions = np.where(present, self.label_of[inside], -1).tolist()
        labels = self.labels
        return [labels[p] if p >= 0 else None for p in positions]

    def save(self, path: Path) -> None:
        """Write under the directory ``path``, atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
        try:
            np.save(staging / "ids.npy", self.ids, allow_pickle=False)
            np.save(staging / "label_of.npy", self.label_of, allow_pickle=False)
            body = [[each.category, each.series] for each in self.labels]
            (staging / "labels.json").write_text(json.dumps(body), encoding="utf-8")
            if path.exists():
                shutil.rmtree(path)
            os.replace(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @classmethod
    def load(cls, path: Path) -> EntryLabels:
        """Open what ``save`` wrote, memory-mapped; ``IndexCorruptError`` if damaged."""
        try:
            body = json.loads((path / "labels.json").read_text(encoding="utf-8"))
            labels = tuple(Label(category, series) for category, series in body)
            ids = np.load(path / "ids.npy", mmap_mode="r", allow_pickle=False)
            label_of = np.load(path / "label_of.npy", mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorruptError(str(path), str(exc)) from exc
        if len(ids) != len(label_of):
            raise IndexCorruptError(str(path), "labels and ids differ in length")
        return cls(ids, label_of, labels)


@dataclass(frozen=True, slots=True)
class ListIndex:
    """One list's indexes and entry labels, for one generation of it, with its current
    threshold."""

    state: ListState
    indexes: KnownIndexes
    labels: EntryLabels


def list_states(store: SqlStore) -> list[ListState]:
    """Every list's state, by id (one query, no count of entries)."""
    query = select(
        hash_lists.c.id,
        hash_lists.c.name,
        hash_lists.c.generation,
        hash_lists.c.pdq_threshold,
        hash_lists.c.enabled,
        hash_lists.c.imported_at,
    ).order_by(hash_lists.c.id)
    with store.engine.connect() as connection:
        return [
            ListState(
                int(r.id),
                str(r.name),
                int(r.generation),
                int(r.pdq_threshold),
                bool(r.enabled),
                str(r.imported_at),
            )
            for r in connection.execute(query)
        ]


def _store_key(store: SqlStore) -> str:
    url = store.engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def build_list_index(store: SqlStore, list_id: int) -> tuple[KnownIndexes, EntryLabels]:
    """A list's exact and PDQ indexes (PDQ of quality >= ``pdq.MIN_QUALITY``) and its
    entries' labels, read from the store in chunks straight into arrays."""
    indexes = KnownIndexes()
    perceptual = select(entry_signals.c.entry_id, entry_signals.c.value).where(
        entry_signals.c.list_id == list_id,
        entry_signals.c.type == pdq.NAME,
        entry_signals.c.quality.is_(None) | (entry_signals.c.quality >= pdq.MIN_QUALITY),
    )
    exact = select(entry_signals.c.entry_id, entry_signals.c.type, entry_signals.c.value).where(
        entry_signals.c.list_id == list_id, entry_signals.c.type.in_(EXACT_TYPES)
    )
    entries = (
        select(
            list_entries.c.id,
            list_entries.c.category_scheme,
            list_entries.c.category_code,
            list_entries.c.series,
        )
        .where(list_entries.c.list_id == list_id)
        .order_by(list_entries.c.id)
    )
    codes, code_ids = [], []
    by_type: dict[str, tuple[list[str], list[int]]] = {}
    ids: list[npt.NDArray[np.int64]] = []
    label_of: list[int] = []
    labels: dict[Label, int] = {}
    with store.engine.connect() as connection:
        streamed = connection.execution_options(yield_per=_CHUNK)
        for chunk in streamed.execute(perceptual).partitions():
            entry_ids, values = zip(*chunk, strict=True)
            codes.append(codes_from_hex(values))
            code_ids.append(np.fromiter(entry_ids, np.int64, len(entry_ids)))
        for typed in streamed.execute(exact).partitions():
            for entry_id, kind, value in typed:
                found = by_type.setdefault(kind, ([], []))
                found[0].append(value)
                found[1].append(int(entry_id))
        for described in streamed.execute(entries).partitions():
            ids.append(np.fromiter((r[0] for r in described), np.int64, len(described)))
            for _, scheme, code, series in described:
                category = Category(scheme, code).display() if scheme and code else None
                label_of.append(labels.setdefault(Label(category, series), len(labels)))
    if codes:
        indexes.pdq.add_codes(np.concatenate(codes), np.concatenate(code_ids))
    for kind, (exact_values, owners) in by_type.items():
        indexes.exact[kind] = ExactIndex()
        indexes.exact[kind].add(exact_values, owners)
    return indexes, EntryLabels(
        np.concatenate(ids) if ids else np.zeros(0, np.int64),
        np.asarray(label_of, np.int32),
        tuple(labels),
    )


def open_list_index(
    store: SqlStore, state: ListState, cache: Path | None
) -> tuple[KnownIndexes, EntryLabels]:
    """The indexes and labels of one generation of a list: opened from ``cache`` if saved
    there (by this or another process), else built from the store (and saved into
    ``cache``)."""
    if cache is None:
        return build_list_index(store, state.id)
    folder = cache / _store_key(store)
    stamp = hashlib.sha256(state.imported_at.encode("utf-8")).hexdigest()[:8]
    directory = folder / f"{state.id}-{state.generation}-{stamp}"
    with _file_lock(folder / f"{state.id}.lock"):
        if directory.exists():
            try:
                return _resident(
                    KnownIndexes.load(directory / "indexes"), EntryLabels.load(directory / "labels")
                )
            except IndexCorruptError:
                shutil.rmtree(directory, ignore_errors=True)
        indexes, labels = build_list_index(store, state.id)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=f".{directory.name}."))
        try:
            indexes.save(staging / "indexes")
            labels.save(staging / "labels")
            os.replace(staging, directory)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        for old in folder.glob(f"{state.id}-*"):
            if old != directory and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    return _resident(
        KnownIndexes.load(directory / "indexes"), EntryLabels.load(directory / "labels")
    )


def _resident(indexes: KnownIndexes, labels: EntryLabels) -> tuple[KnownIndexes, EntryLabels]:
    """Fault the opened (memory-mapped) indexes and labels into this process at once: the
    first lookups then do not wait on page faults, and memory does not creep up as queries
    reach pages for the first time."""
    indexes.pdq.prefault()
    for exact in indexes.exact.values():
        exact.prefault()
    touch_pages(labels.ids)
    touch_pages(labels.label_of)
    return indexes, labels


class LookupIndex:
    """The enabled lists' indexes, refreshed list by list (thread-safe); see the module
    docstring. ``recheck``: seconds between two reads of the lists' states (0: every call);
    ``home``: the data folder whose ``indexes/lists`` keeps built indexes (``None``: memory
    only)."""

    def __init__(self, recheck: float = 1.0, *, home: Path | None = None) -> None:
        self._recheck = recheck
        self._cache = home / "indexes" / "lists" if home is not None else None
        self._refreshing = threading.Lock()
        self._snapshot: tuple[ListIndex, ...] | None = None
        self._checked = -math.inf

    def in_memory(self) -> bool:
        """Whether ``current`` answers from memory, never reading the database in the calling
        thread: once the first snapshot is taken, with a ``recheck`` period (the checks then
        run in the background)."""
        return self._snapshot is not None and self._recheck > 0

    def current(self, store: SqlStore) -> tuple[ListIndex, ...]:
        """The indexes of the lists enabled now. With a ``recheck`` period, the last snapshot:
        when it is ``recheck`` seconds old a background thread reads the lists' states again
        (and builds or opens what changed) while the callers go on answering from it, so a
        change is seen within ``recheck`` seconds plus the time to check it (and, for a newly
        imported list, to build or open its index). Without one (0), checked on every call."""
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._checked < self._recheck:
            return snapshot
        if snapshot is not None and self._recheck > 0:
            if self._refreshing.acquire(blocking=False):
                _REFRESHER.submit(self._refresh_in_background, store)
            return snapshot
        with self._refreshing:
            if self._snapshot is not snapshot and self._recheck > 0:
                return self._snapshot or ()
            self._snapshot = self._refresh(store, self._snapshot or ())
            self._checked = time.monotonic()
            return self._snapshot

    def _refresh_in_background(self, store: SqlStore) -> None:
        """Refresh the snapshot (the caller holds ``_refreshing``, released here). A failure
        (the database unreachable) is logged and tried again ``recheck`` seconds later; the
        callers keep the last snapshot meanwhile."""
        try:
            self._snapshot = self._refresh(store, self._snapshot or ())
        except Exception:  # a background thread: nobody else would hear of it
            _log.exception("refreshing the lookup indexes failed; keeping the last ones")
        finally:
            self._checked = time.monotonic()
            self._refreshing.release()

    def _refresh(self, store: SqlStore, held: tuple[ListIndex, ...]) -> tuple[ListIndex, ...]:
        by_id = {each.state.id: each for each in held}
        fresh: list[ListIndex] = []
        for state in list_states(store):
            if not state.enabled:
                continue
            old = by_id.get(state.id)
            if old is not None and (old.state.generation, old.state.imported_at) == (
                state.generation,
                state.imported_at,
            ):
                fresh.append(ListIndex(state, old.indexes, old.labels))
            else:
                fresh.append(ListIndex(state, *open_list_index(store, state, self._cache)))
        return tuple(fresh)
