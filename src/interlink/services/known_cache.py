"""The known lists' indexes for a scan: built from the store, or opened from a cache.

The cache lives under the data folder (``INTERLINK_HOME/indexes``), one directory per state of
the chosen lists: the store, and each list's id, import generation and PDQ threshold. Any import
or change of a list gives a new state, so a cached directory is never stale; older states of the
same store are removed when a new one is saved. Opening a cached state is memory-mapped and takes
milliseconds even at tens of millions of hashes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from interlink.adapters.sql.lists import StoredList
from interlink.adapters.sql.schema import hash_lists
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import IndexCorruptError, NotFoundError

if TYPE_CHECKING:  # the indexes load numba: imported when a matcher is made
    from interlink.triage.known import KnownMatcher


def chosen_lists(store: SqlStore, names: tuple[str, ...] | None) -> list[StoredList]:
    """The named lists (``None``: every enabled list); unknown names are an error."""
    stored = store.lists.all()
    if names is None:
        return [s for s in stored if s.list.enabled]
    by_name = {s.list.name: s for s in stored}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise NotFoundError("list", ", ".join(missing))
    return [by_name[n] for n in names]


def _state(store: SqlStore, lists: list[StoredList]) -> tuple[str, str]:
    url = store.engine.url.render_as_string(hide_password=True)
    store_key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    ids = [s.id for s in lists]
    with store.engine.connect() as connection:
        generations = dict(
            connection.execute(
                select(hash_lists.c.id, hash_lists.c.generation).where(hash_lists.c.id.in_(ids))
            ).all()
        )
    state = sorted([s.id, int(generations.get(s.id, 0)), s.pdq_threshold] for s in lists)
    digest = hashlib.sha256(json.dumps(state).encode("utf-8")).hexdigest()[:24]
    return store_key, digest


def known_matcher(
    store: SqlStore, names: tuple[str, ...] | None, cache: Path | None = None
) -> KnownMatcher:
    """A matcher over the named lists (or every enabled list), from ``cache`` when it holds the
    lists' current state, else built from the store (and saved into ``cache`` if given)."""
    from interlink.triage.known import KnownIndexes, KnownMatcher

    lists = chosen_lists(store, names)
    thresholds = {s.id: s.pdq_threshold for s in lists}
    if cache is None:
        return KnownMatcher.of(store.lists.signals([s.id for s in lists]), thresholds)
    store_key, state = _state(store, lists)
    directory = cache / f"{store_key}-{state}"
    if directory.exists():
        try:
            return KnownMatcher(KnownIndexes.load(directory), thresholds)
        except IndexCorruptError:
            shutil.rmtree(directory, ignore_errors=True)
    indexes = KnownIndexes.build(store.lists.signals([s.id for s in lists]))
    indexes.save(directory)
    for old in cache.glob(f"{store_key}-*"):
        if old != directory and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return KnownMatcher(indexes, thresholds)
