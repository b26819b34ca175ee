from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text, update

from interlink.adapters.sql.list_rows import in_entry_order, keyed
from interlink.adapters.sql.schema import list_entries
from interlink.adapters.sql.store import SqlStore
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from interlink.signals import orb
from tests.signals.orb_helpers import random_value


def _entry(n: int, with_orb: bool) -> ListEntry:
    signals = [
        Signal("md5", f"{n:032x}"),
        Signal("sha1", f"{n:040x}"),
        Signal("sha256", f"{n:064x}"),
        Signal("pdq", f"{n:064x}", 90),
    ]
    if with_orb:
        signals.append(Signal(orb.NAME, random_value(n)))
    return ListEntry(tuple(signals))


def _list(path: Path, with_orb: bool, count: int) -> tuple[int, list[ListEntry]]:
    """A list of ``count`` entries added 16 at a time; the pages of its signal rows and the
    entries read back."""
    store = SqlStore.open(f"sqlite:///{path}")
    with store.transaction() as tx:
        list_id = store.lists.create(tx, HashList("known"), fmt="files", pdq_threshold=31)
        for start in range(0, count, 16):
            store.lists.add_entries(
                tx, list_id, [_entry(n, with_orb) for n in range(start, start + 16)]
            )
    read = [entry for _, entry in store.lists.entries(list_id)]
    store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("VACUUM")
        query = "SELECT count(*) FROM dbstat WHERE name = 'entry_signals'"
        pages = int(connection.execute(query).fetchone()[0])
    return pages, read


def test_an_entrys_orb_value_is_read_back_last_the_others_in_their_order() -> None:
    md5, value, pdq = Signal("md5", "ab" * 16), Signal(orb.NAME, "orb1:x"), Signal("pdq", "0" * 64)
    assert in_entry_order([value, md5, pdq]) == (md5, pdq, value)
    assert in_entry_order([md5, pdq]) == (md5, pdq)


def test_orb_rows_of_a_list_share_pages_and_entries_read_back_whole(tmp_path: Path) -> None:
    """Written entry by entry, two ORB rows and an entry's small rows overfill a 4 KB page; in
    page order an entry's ORB costs under 2,048 bytes, and every entry reads back as added."""
    count = 64
    with_orb, read = _list(tmp_path / "on.db", True, count)
    without, _ = _list(tmp_path / "off.db", False, count)
    assert read == [_entry(n, True) for n in range(count)]
    assert (with_orb - without) * 4096 / count <= 2048


@pytest.mark.postgres
def test_on_postgresql_an_entrys_orb_costs_under_2_kb(postgres_url: str) -> None:
    """PostgreSQL's 8 KB pages took three entries with their ORB rows written entry by entry
    (2,266 bytes an entry, measured); in page order four ORB rows share a page with small rows."""
    count = 96
    store = SqlStore.open(postgres_url)
    pages = []
    for name, with_orb in (("off", False), ("on", True)):
        with store.transaction() as tx:
            list_id = store.lists.create(tx, HashList(name), fmt="files", pdq_threshold=31)
            for start in range(0, count, 16):
                entries = [_entry(n, with_orb) for n in range(start, start + 16)]
                store.lists.add_entries(tx, list_id, entries)
        with store.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("VACUUM FULL entry_signals"))
            size = connection.execute(text("SELECT pg_relation_size('entry_signals')"))
            pages.append(int(size.scalar_one()))
    read = [entry for _, entry in store.lists.entries(list_id)]
    store.close()
    assert read == [_entry(n, True) for n in range(count)]
    off, both = pages
    assert (both - 2 * off) / count <= 2048


def test_keyed_finds_the_lists_entries_with_the_keys_and_no_others(store_url: str) -> None:
    """Keys of another list's entries and keys stored nowhere find nothing; the same statement
    run again and again (psycopg prepares it from the fifth run on) finds the same rows."""
    store = SqlStore.open(store_url)
    with store.transaction() as tx:
        ids = {}
        for name, numbers in (("a", range(0, 40)), ("b", range(20, 60))):
            ids[name] = store.lists.create(tx, HashList(name), fmt="files", pdq_threshold=31)
            store.lists.add_entries(tx, ids[name], [_entry(n, False) for n in numbers])
        wanted = [f"sha256:{n:064x}" for n in range(30, 70, 3)]
        for _ in range(8):
            query = keyed(tx, ids["a"], wanted, list_entries.c.entry_key, list_entries.c.list_id)
            found = tx.execute(query).all()
            assert sorted(found) == [(f"sha256:{n:064x}", ids["a"]) for n in range(30, 40, 3)]
        assert tx.execute(keyed(tx, ids["b"], [], list_entries.c.id)).all() == []
        # A key longer than the column is not cut to it: it does not find the stored prefix.
        tx.execute(
            update(list_entries)
            .where(list_entries.c.entry_key == wanted[0])
            .values(entry_key="k" * 300)
        )
        query = keyed(tx, ids["a"], ["k" * 301, "k" * 300], list_entries.c.entry_key)
        assert tx.execute(query).scalars().all() == ["k" * 300]
    store.close()
