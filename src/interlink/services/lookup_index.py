"""The enabled lists' indexes as a server process keeps them for lookups: one set of indexes
per list, refreshed list by list.

Each list's indexes (``KnownIndexes`` of its entries alone) are built for one import
generation of the list. Every ``recheck`` seconds one small query reads the lists' ids,
names, generations, thresholds and enabled flags; only a list whose generation changed (or a
new list) is built again, a removed or disabled list is dropped. Importing a list of ten
thousand entries next to one of ten million therefore costs the ten thousand, not the ten
million. While one thread refreshes, the others go on answering from the previous snapshot.

With a ``home``, built indexes are saved under ``home/indexes/lists`` (one directory per store,
list and generation) and opened memory-mapped by every other server process and every later
start, so the workers of one server share one copy of a ten-million-code index in the page
cache, and only the first process to need a generation builds it (the others wait on a file
lock, then open it).
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from interlink.adapters.sql.schema import hash_lists
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import IndexCorruptError
from interlink.triage.known import KnownIndexes


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
class ListIndex:
    """One list's indexes, for one generation of it, with its current threshold."""

    state: ListState
    indexes: KnownIndexes


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


def open_list_index(store: SqlStore, state: ListState, cache: Path | None) -> KnownIndexes:
    """The indexes of one generation of a list: opened from ``cache`` if saved there (by this
    or another process), else built from the store (and saved into ``cache``)."""
    if cache is None:
        return KnownIndexes.build(store.lists.signals([state.id]))
    folder = cache / _store_key(store)
    stamp = hashlib.sha256(state.imported_at.encode("utf-8")).hexdigest()[:8]
    directory = folder / f"{state.id}-{state.generation}-{stamp}"
    with _file_lock(folder / f"{state.id}.lock"):
        if directory.exists():
            try:
                return KnownIndexes.load(directory)
            except IndexCorruptError:
                shutil.rmtree(directory, ignore_errors=True)
        indexes = KnownIndexes.build(store.lists.signals([state.id]))
        indexes.save(directory)
        for old in folder.glob(f"{state.id}-*"):
            if old != directory and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    return KnownIndexes.load(directory)


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

    def current(self, store: SqlStore) -> tuple[ListIndex, ...]:
        """The indexes of the lists enabled now (as of at most ``recheck`` seconds ago)."""
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._checked < self._recheck:
            return snapshot
        if snapshot is not None and self._recheck > 0:
            if not self._refreshing.acquire(blocking=False):
                return snapshot  # another thread is refreshing: answer from the last one
        else:
            self._refreshing.acquire()
        try:
            if self._snapshot is not snapshot and self._recheck > 0:
                return self._snapshot or ()
            self._snapshot = self._refresh(store, self._snapshot or ())
            self._checked = time.monotonic()
            return self._snapshot
        finally:
            self._refreshing.release()

    def _refresh(self, store: SqlStore, held: tuple[ListIndex, ...]) -> tuple[ListIndex, ...]:
        by_id = {each.state.id: each for each in held}
        fresh: list[ListIndex] = []
        for state in list_states(store):
            if not state.enabled:
                continue
            old = by_id.get(state.id)
            if old is not None and old.state.generation == state.generation:
                fresh.append(ListIndex(state, old.indexes))
            else:
                fresh.append(ListIndex(state, open_list_index(store, state, self._cache)))
        return tuple(fresh)
