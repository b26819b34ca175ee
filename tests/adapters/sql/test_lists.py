"""A list's entry count, stored with the list (``hash_lists.entry_count``) and kept by every
change of its entries, so that listing the lists counts nothing; and migration 0025, which
fills it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, inspect, text

from interlink.adapters.sql.store import SqlStore
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from tests.adapters.sql.alembic_steps import migrate


def _entry(n: int, version: int = 0) -> ListEntry:
    return ListEntry((Signal("md5", f"{n:032x}"), Signal("pdq", f"{n + version:064x}", 80)))


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    try:
        yield opened
    finally:
        opened.close()


def _counted(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM list_entries")).scalar_one())


def _listed(url: str) -> tuple[int, list[str]]:
    """The list's entry count as a fresh process lists it, and the statements it sent."""
    fresh = SqlStore.open(url)
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(fresh.engine, "before_cursor_execute", note)
    try:
        return fresh.lists.get("L").entries, sent
    finally:
        event.remove(fresh.engine, "before_cursor_execute", note)
        fresh.close()


def _holds(store: SqlStore, url: str, expected: int) -> None:
    """The list holds ``expected`` entries, and a fresh process lists that without counting."""
    entries, sent = _listed(url)
    assert _counted(store) == entries == expected
    assert not [s for s in sent if "count(" in s.lower()]


def test_every_change_of_a_list_s_entries_keeps_its_count(store: SqlStore, store_url: str) -> None:
    with store.transaction() as tx:
        list_id = store.lists.create(tx, HashList("L"), fmt="csv", pdq_threshold=31)
        store.lists.add_entries(tx, list_id, [_entry(n) for n in range(2500)])
    _holds(store, store_url, 2500)
    # A new version: 100 entries changed, 400 new, the other 2,400 not carried (dropped).
    with store.transaction() as tx:
        generation = store.lists.begin_import(tx, list_id)
        carried = [_entry(n, version=1) for n in range(100)]
        carried += [_entry(n) for n in range(2500, 2900)]
        store.lists.sync(tx, list_id, generation, carried, agency="L")
        assert store.lists.drop_unseen(tx, list_id, generation) == 2400
    _holds(store, store_url, 500)
    with store.transaction() as tx:
        keys = [key for (key,) in tx.execute(text("SELECT entry_key FROM list_entries LIMIT 30"))]
        assert store.lists.withdraw(tx, list_id, keys) == 30
    _holds(store, store_url, 470)
    with store.transaction() as tx:
        assert store.lists.clear(tx, list_id) == 470
    _holds(store, store_url, 0)
    with store.transaction() as tx:
        store.lists.add_entries(tx, list_id, [_entry(n) for n in range(7)])
    _holds(store, store_url, 7)


def test_a_failed_change_leaves_the_count_as_it_was(store: SqlStore, store_url: str) -> None:
    with store.transaction() as tx:
        list_id = store.lists.create(tx, HashList("L"), fmt="csv", pdq_threshold=31)
        store.lists.add_entries(tx, list_id, [_entry(n) for n in range(10)])
    with pytest.raises(RuntimeError), store.transaction() as tx:
        store.lists.add_entries(tx, list_id, [_entry(n) for n in range(10, 50)])
        raise RuntimeError("the import fails half way")
    assert _listed(store_url)[0] == _counted(store) == 10


def test_a_list_without_a_stored_count_is_counted(store: SqlStore, store_url: str) -> None:
    with store.transaction() as tx:
        list_id = store.lists.create(tx, HashList("L"), fmt="csv", pdq_threshold=31)
        store.lists.add_entries(tx, list_id, [_entry(n) for n in range(12)])
        tx.execute(text("UPDATE hash_lists SET entry_count = NULL"))
    entries, sent = _listed(store_url)
    assert entries == 12 and [s for s in sent if "count(" in s.lower()]
    with store.transaction() as tx:  # a change does not make up a count it does not know
        store.lists.add_entries(tx, list_id, [_entry(n) for n in range(12, 15)])
    assert _listed(store_url)[0] == 15


def test_migration_0025_counts_each_list_once(store: SqlStore, store_url: str) -> None:
    with store.transaction() as tx:
        for name, size in (("L", 30), ("M", 4), ("N", 0)):
            list_id = store.lists.create(tx, HashList(name), fmt="csv", pdq_threshold=31)
            store.lists.add_entries(tx, list_id, [_entry(1000 * size + n) for n in range(size)])
    migrate(store, "0024", down=True)
    migrate(store, "0025", down=False)
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT name, entry_count FROM hash_lists")).all()
        stored: dict[str, int] = {str(name): int(count) for name, count in rows}
    assert stored == {"L": 30, "M": 4, "N": 0}
    entries, sent = _listed(store_url)
    assert entries == 30 and not [s for s in sent if "count(" in s.lower()]


def test_migration_0026_indexes_a_list_s_signals(store: SqlStore) -> None:
    def indexed() -> bool:
        found = inspect(store.engine).get_indexes("entry_signals")
        return any(ix["column_names"] == ["list_id", "type"] for ix in found)

    assert indexed()
    migrate(store, "0025", down=True)
    assert not indexed()
    migrate(store, "0026", down=False)
    assert indexed()


@pytest.mark.postgres
def test_one_list_s_signals_are_read_through_the_index(postgres_url: str) -> None:
    store = SqlStore.open(postgres_url)
    try:
        with store.transaction() as tx:
            for name in ("L", "M"):
                list_id = store.lists.create(tx, HashList(name), fmt="csv", pdq_threshold=31)
                store.lists.add_entries(tx, list_id, [_entry(n) for n in range(300)])
        with store.engine.connect() as connection:
            connection.execute(text("SET enable_seqscan = off"))  # a table this small
            plan = "\n".join(
                row[0]
                for row in connection.execute(
                    text(
                        "EXPLAIN SELECT entry_id, value FROM entry_signals"
                        " WHERE list_id = :l AND type = 'pdq'"
                    ),
                    {"l": list_id},
                )
            )
        assert "ix_entry_signals_list_id_type" in plan
    finally:
        store.close()
