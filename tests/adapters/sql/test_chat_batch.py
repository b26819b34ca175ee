"""The import's bulk writes store what SQLAlchemy Core's writes store, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime, select
from sqlalchemy.dialects import sqlite

from interlink.adapters.sql.bulk import _faster
from interlink.adapters.sql.chat_batch import MESSAGE_COLUMNS, ChatBatch
from interlink.adapters.sql.chat_schema import chat_cues, chat_messages
from interlink.adapters.sql.dialect import insert_ignore
from interlink.adapters.sql.store import SqlStore
from interlink.domain.chats import Conversation

LITE = sqlite.dialect()


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


@given(
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-5))])),
    st.booleans(),
)
def test_times_are_rendered_as_core_renders_them(moment: datetime, zoned: bool) -> None:
    core = DateTime(timezone=zoned).dialect_impl(LITE).bind_processor(LITE)
    assert core is not None
    fast = _faster(core)
    assert fast is not core
    assert fast(moment) == core(moment)


def _row(n: int) -> tuple[Any, ...]:
    return (
        f"k{n}",
        f"message {n}",
        "user1",
        "Sam",
        ["user2"] if n % 2 else None,
        datetime(2024, 1, 1, 10, n, 5, n * 1000, tzinfo=UTC),
        "2024-01-01T10:00:00",
        datetime(2024, 1, 1, 11, n) if n % 3 else None,
        f"text {n} é",
        n == 2,
        "call" if n == 2 else None,
        "k1" if n == 3 else None,
        None,
        n == 4,
        datetime(2024, 1, 2, tzinfo=UTC) if n == 4 else None,
        False,
    )


def test_bulk_rows_equal_core_rows_and_are_stored_once(store: SqlStore) -> None:
    with store.transaction() as tx:
        case, _ = store.cases.ensure_case(tx, "C1")
        fast = store.chats.ensure_conversation(tx, case.id, Conversation("a", "telegram"))
        core = store.chats.ensure_conversation(tx, case.id, Conversation("b", "telegram"))
    rows = [_row(n) for n in range(6)]
    for _ in range(2):  # the second time adds nothing
        with store.transaction() as tx:
            batch = ChatBatch(tx)
            batch.messages(fast, rows)
            ids = batch.message_ids(fast, ["k1", "k4", "missing"])
            batch.cues([(fast, ids["k1"], "secrecy", [[0, 4]], None)])
            found = batch.identifiers(case.id, {("url", "http://example.org/a"): False})
            batch.link_identifiers([(found[("url", "http://example.org/a")], ids["k4"])])
    with store.transaction() as tx:
        insert_ignore(
            tx,
            chat_messages,
            [{"conversation_id": core, **dict(zip(MESSAGE_COLUMNS, r, strict=True))} for r in rows],
            "conversation_id",
            "key",
        )
    assert set(ids) == {"k1", "k4"}
    columns = [chat_messages.c[name] for name in MESSAGE_COLUMNS]
    with store.engine.connect() as connection:
        stored = {
            conversation: [
                tuple(r)
                for r in connection.execute(
                    select(*columns)
                    .where(chat_messages.c.conversation_id == conversation)
                    .order_by(chat_messages.c.id)
                )
            ]
            for conversation in (fast, core)
        }
        cues = connection.execute(select(chat_cues.c.cue, chat_cues.c.spans)).all()
    assert stored[fast] == stored[core] and len(stored[fast]) == 6
    assert [tuple(c) for c in cues] == [("secrecy", [[0, 4]])]
    assert len(store.chats.identifiers(case.id)) == 1
