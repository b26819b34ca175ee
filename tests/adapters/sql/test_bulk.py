"""Bulk inserts bind what SQLAlchemy Core would bind, calling no processor that would
change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, DateTime, event
from sqlalchemy.dialects import postgresql, sqlite

from interlink.adapters.sql.bulk import _kept, select_ids
from interlink.adapters.sql.chat_schema import chat_identifiers
from interlink.adapters.sql.store import SqlStore

LITE = sqlite.dialect()
POSTGRES = postgresql.dialect()  # type: ignore[no-untyped-call]


def test_booleans_are_bound_as_they_are_only_where_the_processor_keeps_them() -> None:
    for dialect in (LITE, POSTGRES):
        processor = Boolean().dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            assert _kept(processor) is bool
            assert (processor(True), processor(False)) == (True, False)
    times = DateTime().dialect_impl(LITE).bind_processor(LITE)
    assert times is not None and _kept(times) is None
    assert isinstance(times(datetime(2024, 1, 1)), str)
    documents = JSON().dialect_impl(LITE).bind_processor(LITE)
    assert documents is not None and _kept(documents) is None


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def test_ids_are_read_by_few_distinct_statements_whatever_the_number_of_keys(
    store: SqlStore,
) -> None:
    with store.transaction() as tx:
        case, _ = store.cases.ensure_case(tx, "C1")
        tx.execute(
            chat_identifiers.insert(),
            [
                {"case_id": case.id, "kind": "url", "value": f"v{n}", "e164": False}
                for n in range(700)
            ],
        )
    statements: set[str] = set()

    def seen(*args: Any) -> None:
        statements.add(args[2])

    event.listen(store.engine, "before_cursor_execute", seen)
    where = [("case_id", case.id), ("kind", "url")]
    with store.engine.connect() as connection:
        for length in (1, 2, 9, 100, 257, 499, 500, 501, 700):
            keys = [f"v{n}" for n in range(length)] + ["absent"]
            ids = select_ids(connection, chat_identifiers, where, "value", keys)
            assert sorted(ids) == sorted(keys[:length]) and len(set(ids.values())) == length
    event.remove(store.engine, "before_cursor_execute", seen)
    # Lists padded to 8, 16, ..., 256 or 500 keys: one statement per length, not per list.
    assert len(statements) <= 7
