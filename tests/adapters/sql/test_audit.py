"""The audit log's group write on PostgreSQL: a batch of records chained and committed in two
round trips (psycopg's pipeline), stored as the JSON columns store them, and a failed batch
rolled back without leaving its connection in a transaction or in autocommit mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from interlink.adapters.sql.store import SqlStore

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(postgres_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(postgres_url)
    try:
        yield opened
    finally:
        opened.close()


def _round_trips(trace: str) -> int:
    """How many times the client sent messages and then waited for the server's answer, in
    a libpq protocol trace (lines ``F``/``B``, length, message)."""
    trips, sending = 0, False
    for line in trace.splitlines():
        direction = line.split("\t", 1)[0]
        if direction == "F":
            sending = True
        elif direction == "B" and sending:
            trips, sending = trips + 1, False
    return trips


def test_a_batch_takes_two_round_trips(store: SqlStore, tmp_path: Path) -> None:
    from psycopg import pq

    store.audit.record(actor="a", action="warm", object_type="t", object_id="0")
    out = tmp_path / "trace.txt"
    traced: list[Any] = []

    def trace(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        pgconn = dbapi_connection.pgconn
        pgconn.trace(handle.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        traced.append(pgconn)

    with out.open("w") as handle:
        event.listen(store.engine, "checkout", trace)
        try:
            store.audit.record(
                actor="a", action="x", object_type="t", object_id="1", after={"k": [1]}
            )
        finally:
            event.remove(store.engine, "checkout", trace)
            for pgconn in traced:
                pgconn.untrace()
    recorded = out.read_text()
    assert "COMMIT" in recorded and "FOR UPDATE" in recorded
    assert _round_trips(recorded) == 2
    assert store.audit.verify().ok


def test_records_are_stored_as_the_json_columns_store_them(store: SqlStore) -> None:
    store.audit.record(actor="a", action="x", object_type="t", object_id="1", after={"k": (1, "b")})
    with store.engine.connect() as connection:
        row = connection.execute(
            text("SELECT before::text, after::text, count FROM audit_log, audit_head")
        ).one()
    assert row == ("null", '{"k": [1, "b"]}', 1)
    (record,) = store.audit.records()
    assert record.before is None and record.after == {"k": [1, "b"]}
    assert store.audit.verify().ok


def test_a_failed_batch_is_rolled_back_and_its_connection_reused(store: SqlStore) -> None:
    store.audit.record(actor="a", action="x", object_type="t", object_id="1")
    with pytest.raises(Exception, match="0x00"):  # NUL is refused in text
        store.audit.record(actor="a\x00", action="x", object_type="t", object_id="2")
    store.audit.record(actor="a", action="x", object_type="t", object_id="3")
    assert [r.object_id for r in store.audit.records()] == ["1", "3"]
    assert store.audit.verify().ok
    with store.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None and driver.autocommit is False
        # The pool holds the connection the failed batch used: none is left in a transaction.
        assert connection.execute(text("SELECT count(*) FROM audit_head")).scalar() == 1
