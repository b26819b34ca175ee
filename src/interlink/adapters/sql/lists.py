"""Known-material lists and their entries in the store."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.list_copy import insert_entries, insert_signals
from interlink.adapters.sql.list_history import ListHistory, describe, describe_row
from interlink.adapters.sql.list_rows import (
    category_of,
    entry_row,
    generation_of,
    keyed,
    list_entry,
    signal_row,
)
from interlink.adapters.sql.schema import entry_signals, hash_lists, list_entries, media_matches
from interlink.adapters.sql.signal_data import value_of
from interlink.domain.errors import NotFoundError
from interlink.domain.lists import (
    EntryInfo,
    EntrySignal,
    HashList,
    ListEntry,
    content_hash,
    entry_key,
    vouching_agency,
)
from interlink.domain.signals import Signal

BATCH = 2000
#: What an entry's history needs of it (``list_history.describe_row``), with its id.
_DESCRIBED_COLUMNS = (
    list_entries.c.id,
    list_entries.c.entry_key,
    list_entries.c.category_scheme,
    list_entries.c.category_code,
    list_entries.c.series,
    list_entries.c.victim_identified,
    list_entries.c.offender_identified,
    list_entries.c.distributed,
)


@dataclass(frozen=True, slots=True)
class StoredList:
    """A list as stored: its id, its record and how many entries it holds."""

    id: int
    list: HashList
    entries: int
    pdq_threshold: int


@dataclass(frozen=True, slots=True)
class SyncCounts:
    """What one batch of a list import did."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0


class ListRepository:
    """Create, fill, read and enable lists of known material."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Entry counts by (list id, import generation): every change of a list's entries is
        # an import, which starts a new generation, so a count never goes stale.
        self._counts: dict[tuple[int, int], int] = {}
        self._counting = threading.Lock()

    def find(self, connection: Connection, name: str) -> int | None:
        """The id of the list called ``name``, if it exists."""
        row = connection.execute(select(hash_lists.c.id).where(hash_lists.c.name == name)).first()
        return None if row is None else int(row.id)

    def create(
        self, connection: Connection, hash_list: HashList, *, fmt: str, pdq_threshold: int
    ) -> int:
        """Store a new list record; return its id."""
        result = connection.execute(
            hash_lists.insert()
            .values(
                name=hash_list.name,
                source=hash_list.source,
                version=hash_list.version,
                format=fmt,
                imported_at=hash_list.imported_at or datetime.now(UTC),
                enabled=hash_list.enabled,
                pdq_threshold=pdq_threshold,
                entry_count=0,
            )
            .returning(hash_lists.c.id)
        )
        return int(result.scalar_one())

    def touch(self, connection: Connection, list_id: int, *, source: str, version: str) -> None:
        """Record that the list was imported again now, from ``source`` at ``version`` (the
        label of its newest generation too)."""
        connection.execute(
            update(hash_lists)
            .where(hash_lists.c.id == list_id)
            .values(source=source, version=version, imported_at=datetime.now(UTC))
        )
        generation = generation_of(connection, list_id)
        ListHistory.label(connection, list_id, generation, version=version, source=source)

    def clear(self, connection: Connection, list_id: int) -> int:
        """Delete every entry of a list; return how many there were. It is a new generation
        of the list, as any change of its entries (indexes and counts of the old one are not
        used again)."""
        self.begin_import(connection, list_id)
        connection.execute(delete(entry_signals).where(entry_signals.c.list_id == list_id))
        result = connection.execute(delete(list_entries).where(list_entries.c.list_id == list_id))
        connection.execute(
            update(hash_lists).where(hash_lists.c.id == list_id).values(entry_count=0)
        )
        return int(result.rowcount)

    def add_entries(
        self, connection: Connection, list_id: int, entries: Iterable[ListEntry]
    ) -> int:
        """Add entries (with all their signals) to the list as they are: an entry whose key the
        list already holds is updated, none is deleted. It is a new generation of the list (so
        cached indexes of the old one are not used again). Return how many were given."""
        generation = self.begin_import(connection, list_id)
        row = connection.execute(select(hash_lists.c.name).where(hash_lists.c.id == list_id)).one()
        total = 0
        batch: list[ListEntry] = []
        for entry in entries:
            batch.append(entry)
            if len(batch) >= BATCH:
                self.sync(connection, list_id, generation, batch, agency=row.name)
                total += len(batch)
                batch = []
        if batch:
            self.sync(connection, list_id, generation, batch, agency=row.name)
            total += len(batch)
        return total

    def _insert(
        self,
        connection: Connection,
        list_id: int,
        batch: Sequence[ListEntry],
        extra_columns: Sequence[dict[str, Any]] | None = None,
    ) -> int:
        rows = [entry_row(list_id, entry) for entry in batch]
        if extra_columns is not None:
            rows = [{**row, **more} for row, more in zip(rows, extra_columns, strict=True)]
        ids = insert_entries(connection, rows)
        _count_entries(connection, list_id, len(ids))
        insert_signals(
            connection,
            [
                signal_row(entry_id, list_id, signal)
                for entry_id, entry in zip(ids, batch, strict=True)
                for signal in entry.signals
            ],
        )
        return len(ids)

    def get(self, name: str) -> StoredList:
        """The list called ``name``; raise ``NotFoundError`` if there is none."""
        for stored in self.all():
            if stored.list.name == name:
                return stored
        raise NotFoundError("list", name)

    def all(self, *, after: str | None = None, limit: int | None = None) -> list[StoredList]:
        """Every list with its entry count, by name (unique); the first ``limit`` named after
        ``after`` (keyset: the query cuts the page). The count is the one stored with the list
        (``entry_count``, kept by every change of its entries); a list stored without one is
        counted, once per import generation in this process (counting ten million entries
        reads the whole table: seconds)."""
        query = select(hash_lists).order_by(hash_lists.c.name).limit(limit)
        if after is not None:
            query = query.where(hash_lists.c.name > after)
        counted = (
            select(func.count())
            .select_from(list_entries)
            .where(list_entries.c.list_id == hash_lists.c.id)
            .scalar_subquery()
        )
        with reading(self._engine) as connection:
            rows = list(connection.execute(query))
            for r in rows:
                if r.entry_count is not None:
                    self._counts[(int(r.id), int(r.generation))] = int(r.entry_count)
            if any((int(r.id), int(r.generation)) not in self._counts for r in rows):
                with self._counting:  # concurrent readers wait for one count, then use it
                    missing = [
                        int(r.id)
                        for r in rows
                        if (int(r.id), int(r.generation)) not in self._counts
                    ]
                    # One statement, one snapshot: the count and the generation it is of.
                    fresh = connection.execute(
                        select(hash_lists, counted.label("entries")).where(
                            hash_lists.c.id.in_(missing)
                        )
                    )
                    by_id = {int(r.id): r for r in fresh}
                    for row in by_id.values():
                        self._counts[(int(row.id), int(row.generation))] = int(row.entries)
                rows = [by_id.get(int(r.id), r) for r in rows]
        return [
            StoredList(
                int(row.id),
                HashList(row.name, row.source, row.version, row.imported_at, row.enabled),
                self._counts[(int(row.id), int(row.generation))],
                int(row.pdq_threshold),
            )
            for row in rows
            if (int(row.id), int(row.generation)) in self._counts
        ]

    def set_enabled(self, connection: Connection, list_id: int, enabled: bool) -> None:
        """Enable or disable matching against a list."""
        connection.execute(
            update(hash_lists).where(hash_lists.c.id == list_id).values(enabled=enabled)
        )

    def signals(self, list_ids: Sequence[int]) -> Iterator[EntrySignal]:
        """Every signal of every entry of the given lists, streamed."""
        if not list_ids:
            return
        query = select(
            entry_signals.c.entry_id,
            entry_signals.c.list_id,
            entry_signals.c.type,
            entry_signals.c.value,
            entry_signals.c.quality,
            entry_signals.c.data,
        ).where(entry_signals.c.list_id.in_(list_ids))
        with self._engine.connect() as connection:
            result = connection.execution_options(yield_per=10_000).execute(query)
            for row in result:
                value = value_of(row.value, row.data)
                yield EntrySignal(row.entry_id, row.list_id, row.type, value, row.quality)

    def entries(self, list_id: int) -> Iterator[tuple[int, ListEntry]]:
        """The entries of a list with their signals, by id, streamed."""
        query = (
            select(
                list_entries,
                entry_signals.c.type,
                entry_signals.c.value,
                entry_signals.c.quality,
                entry_signals.c.data,
            )
            .select_from(
                list_entries.outerjoin(entry_signals, entry_signals.c.entry_id == list_entries.c.id)
            )
            .where(list_entries.c.list_id == list_id)
            .order_by(list_entries.c.id, entry_signals.c.id)
        )
        current: int | None = None
        row_of: Any = None
        signals: list[Signal] = []
        with self._engine.connect() as connection:
            for row in connection.execution_options(yield_per=10_000).execute(query):
                if row.id != current:
                    if current is not None:
                        yield current, list_entry(row_of, signals)
                    current, row_of, signals = row.id, row, []
                if row.type is not None:
                    signals.append(Signal(row.type, value_of(row.value, row.data), row.quality))
        if current is not None:
            yield current, list_entry(row_of, signals)

    def info(self, entry_ids: Iterable[int]) -> dict[int, EntryInfo]:
        """What each entry is known as, for the given ids."""
        wanted = sorted(set(entry_ids))
        found: dict[int, EntryInfo] = {}
        if not wanted:
            return found  # no connection checked out for nothing
        with reading(self._engine) as connection:
            for start in range(0, len(wanted), 500):
                query = (
                    select(list_entries, hash_lists.c.name.label("list_name"))
                    .select_from(
                        list_entries.join(hash_lists, hash_lists.c.id == list_entries.c.list_id)
                    )
                    .where(list_entries.c.id.in_(wanted[start : start + 500]))
                )
                for row in connection.execute(query):
                    found[row.id] = EntryInfo(
                        row.id,
                        row.list_id,
                        row.list_name,
                        category_of(row.category_scheme, row.category_code),
                        row.series,
                        row.victim_identified,
                        row.agency,
                        row.external_id,
                    )
        return found

    def signal_values(self, entry_ids: Iterable[int], signal_type: str) -> dict[int, str]:
        """For each of the entries that has one, its signal of ``signal_type``."""
        wanted = sorted(set(entry_ids))
        found: dict[int, str] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                rows = connection.execute(
                    select(
                        entry_signals.c.entry_id, entry_signals.c.value, entry_signals.c.data
                    ).where(
                        entry_signals.c.type == signal_type,
                        entry_signals.c.entry_id.in_(wanted[start : start + 500]),
                    )
                )
                found.update((int(row.entry_id), value_of(row.value, row.data)) for row in rows)
        return found

    # -- versioned imports -------------------------------------------------------------------

    def begin_import(self, connection: Connection, list_id: int) -> int:
        """Start a new import generation of the list (recorded in its history); return its
        number."""
        generation = generation_of(connection, list_id) + 1
        connection.execute(
            update(hash_lists).where(hash_lists.c.id == list_id).values(generation=generation)
        )
        ListHistory.begin(connection, list_id, generation)
        return generation

    def sync(
        self,
        connection: Connection,
        list_id: int,
        generation: int,
        entries: Sequence[ListEntry],
        *,
        agency: str,
    ) -> SyncCounts:
        """Apply one batch of a list version: add new entries, update changed ones in place
        (keeping their ids, dropping their now stale matches), and mark every entry carried
        as seen in ``generation``. Entries are identified by ``entry_key``; a key given twice
        keeps the last."""
        by_key: dict[str, ListEntry] = {}
        for entry in entries:
            key = entry_key(entry)
            if key is not None:
                by_key[key] = entry
        if not by_key:
            return SyncCounts()
        rows = {
            row.entry_key: row
            for row in connection.execute(
                keyed(
                    connection,
                    list_id,
                    list(by_key),
                    *_DESCRIBED_COLUMNS,
                    list_entries.c.content_hash,
                )
            )
        }
        existing = {key: (int(row.id), row.content_hash) for key, row in rows.items()}
        new: list[tuple[str, ListEntry]] = []
        changed: list[tuple[int, str, ListEntry]] = []
        same: list[int] = []
        digests = {key: content_hash(entry) for key, entry in by_key.items()}
        for key, entry in by_key.items():
            if key not in existing:
                new.append((key, entry))
            elif existing[key][1] != digests[key]:
                changed.append((existing[key][0], key, entry))
            else:
                same.append(existing[key][0])
        if new:
            self._insert(
                connection,
                list_id,
                [e for _, e in new],
                extra_columns=[
                    {
                        "entry_key": key,
                        "content_hash": digests[key],
                        "seen_in": generation,
                        "agency": vouching_agency(entry, agency),
                    }
                    for key, entry in new
                ],
            )
        for ident, key, entry in changed:
            connection.execute(
                update(list_entries)
                .where(list_entries.c.id == ident)
                .values(
                    **entry_row(list_id, entry),
                    entry_key=key,
                    content_hash=digests[key],
                    seen_in=generation,
                    agency=vouching_agency(entry, agency),
                )
            )
        if changed:
            ids = [ident for ident, _, _ in changed]
            connection.execute(delete(entry_signals).where(entry_signals.c.entry_id.in_(ids)))
            connection.execute(delete(media_matches).where(media_matches.c.entry_id.in_(ids)))
            insert_signals(
                connection,
                [
                    signal_row(ident, list_id, signal)
                    for ident, _, entry in changed
                    for signal in entry.signals
                ],
            )
        for start in range(0, len(same), 500):
            connection.execute(
                update(list_entries)
                .where(list_entries.c.id.in_(same[start : start + 500]))
                .values(seen_in=generation)
            )
        if generation > 1:  # a list's first generation added everything: not recorded
            ListHistory.record(
                connection,
                list_id,
                generation,
                [(key, None, describe(entry)) for key, entry in new]
                + [(key, describe_row(rows[key]), describe(entry)) for _, key, entry in changed],
            )
        return SyncCounts(len(new), len(changed), len(same))

    def withdraw(self, connection: Connection, list_id: int, keys: Sequence[str]) -> int:
        """Delete the entries with these ``entry_key``s (a list's tombstones); return how many."""
        removed = 0
        generation = generation_of(connection, list_id)
        for start in range(0, len(keys), 500):
            rows = list(
                connection.execute(
                    select(*_DESCRIBED_COLUMNS).where(
                        list_entries.c.list_id == list_id,
                        list_entries.c.entry_key.in_(keys[start : start + 500]),
                    )
                )
            )
            removed += self._delete_rows(connection, list_id, generation, rows)
        return removed

    def drop_unseen(self, connection: Connection, list_id: int, generation: int) -> int:
        """Delete the entries the import ``generation`` did not carry (a full version replaces
        the list); return how many."""
        rows = list(
            connection.execute(
                select(*_DESCRIBED_COLUMNS).where(
                    list_entries.c.list_id == list_id,
                    (list_entries.c.seen_in.is_(None)) | (list_entries.c.seen_in != generation),
                )
            )
        )
        removed = 0
        for start in range(0, len(rows), 500):
            removed += self._delete_rows(connection, list_id, generation, rows[start : start + 500])
        return removed

    @classmethod
    def _delete_rows(
        cls, connection: Connection, list_id: int, generation: int, rows: Sequence[Any]
    ) -> int:
        """Delete these entries, recorded as removed by ``generation``."""
        ListHistory.record(
            connection,
            list_id,
            generation,
            [(row.entry_key or f"entry:{row.id}", describe_row(row), None) for row in rows],
        )
        return cls._delete_ids(connection, list_id, [int(row.id) for row in rows])

    @staticmethod
    def _delete_ids(connection: Connection, list_id: int, ids: Sequence[int]) -> int:
        if not ids:
            return 0
        connection.execute(delete(media_matches).where(media_matches.c.entry_id.in_(ids)))
        connection.execute(delete(entry_signals).where(entry_signals.c.entry_id.in_(ids)))
        deleted = connection.execute(
            delete(list_entries).where(
                list_entries.c.id.in_(ids), list_entries.c.list_id == list_id
            )
        )
        _count_entries(connection, list_id, -int(deleted.rowcount))
        return len(ids)


def _count_entries(connection: Connection, list_id: int, change: int) -> None:
    """Move the list's stored entry count by ``change``, in the transaction that changed its
    entries (a count not known stays so: NULL plus anything is NULL)."""
    if change:
        connection.execute(
            update(hash_lists)
            .where(hash_lists.c.id == list_id)
            .values(entry_count=hash_lists.c.entry_count + change)
        )
