"""A list import's entries and signal rows, copied on PostgreSQL, are the rows Core's inserts
store (every column, JSON and bytes included), with ids in the order given, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, select

from interlink.adapters.sql.list_copy import insert_entries, insert_signals
from interlink.adapters.sql.list_rows import signal_row
from interlink.adapters.sql.schema import entry_signals, list_entries
from interlink.adapters.sql.signal_data import page_order
from interlink.adapters.sql.store import SqlStore
from interlink.domain.lists import HashList
from interlink.domain.signals import Signal
from interlink.signals import orb
from tests.signals.orb_helpers import random_value


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def _entries(list_id: int) -> list[dict[str, Any]]:
    return [
        {
            "list_id": list_id,
            "external_id": None if n % 2 else f"x{n}",
            "category_scheme": "uk",
            "category_code": "A",
            "series": 'S, "quoted"\ttab' if n == 1 else None,
            "victim_identified": (None, True, False)[n % 3],
            "offender_identified": n % 2 == 0,
            "distributed": None,
            "media_kind": "image",
            "extra": {"note": "a\nb", "n": n} if n % 2 else None,
            "entry_key": f"id:{n}",
            "content_hash": f"{n:064x}",
            "seen_in": 1,
            "agency": "uk-ceop",
        }
        for n in range(7)
    ]


def _signals(entry_ids: list[int], list_id: int) -> list[dict[str, Any]]:
    rows = []
    for n, entry_id in enumerate(entry_ids):
        rows.append(signal_row(entry_id, list_id, Signal("pdq", f"{n:064x}", 90)))
        rows.append(signal_row(entry_id, list_id, Signal("md5", f"{n:032x}")))
        rows.append(signal_row(entry_id, list_id, Signal(orb.NAME, random_value(n))))
    return rows


def _stored(connection: Connection, list_id: int) -> tuple[list[Any], list[Any]]:
    """A list's entry rows and signal rows by id, without their ids and list id."""
    entries = connection.execute(
        select(list_entries).where(list_entries.c.list_id == list_id).order_by(list_entries.c.id)
    ).all()
    keys = {row.id: row.entry_key for row in entries}
    signals = connection.execute(
        select(entry_signals).where(entry_signals.c.list_id == list_id).order_by(entry_signals.c.id)
    ).all()
    return (
        [tuple(row)[2:] for row in entries],
        [(keys[row.entry_id], *tuple(row)[3:]) for row in signals],
    )


def test_the_rows_written_are_those_cores_inserts_write(store: SqlStore) -> None:
    with store.transaction() as tx:
        copied = store.lists.create(tx, HashList("copied"), fmt="csv", pdq_threshold=31)
        inserted = store.lists.create(tx, HashList("inserted"), fmt="csv", pdq_threshold=31)
        ids = insert_entries(tx, _entries(copied))
        assert ids == sorted(ids) and len(set(ids)) == 7
        assert [
            tx.execute(select(list_entries.c.entry_key).where(list_entries.c.id == i)).scalar()
            for i in ids
        ] == [f"id:{n}" for n in range(7)]
        rows = _signals(ids, copied)
        insert_signals(tx, rows)

        plain = tx.execute(
            list_entries.insert().returning(list_entries.c.id, sort_by_parameter_order=True),
            _entries(inserted),
        )
        plain_ids = [int(row.id) for row in plain]
        tx.execute(entry_signals.insert(), page_order(_signals(plain_ids, inserted), "none"))
        got, expected = _stored(tx, copied), _stored(tx, inserted)
    assert got[0] == expected[0]
    assert sorted(got[1], key=str) == sorted(expected[1], key=str)
    # The signal rows' ids follow the page order they were given in.
    order = page_order(rows, store.engine.dialect.name)
    key_of = dict(zip(ids, (f"id:{n}" for n in range(7)), strict=True))
    assert got[1] == [
        (key_of[r["entry_id"]], r["type"], r["value"], r["quality"], r["data"]) for r in order
    ]
    assert any(r[4] is not None for r in got[1])  # ORB values stored as bytes
