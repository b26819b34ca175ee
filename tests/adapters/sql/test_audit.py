"""The audit log's group write on PostgreSQL: a batch of records queued and committed in one
round trip and chained in three (psycopg's pipeline), stored as the JSON columns store them,
and a failed batch rolled back without leaving its connection in a transaction or in
autocommit mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from interlink.adapters.sql.store import SqlStore

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(quiet_store: SqlStore) -> SqlStore:
    """No chainer runs meanwhile: the tests chain (and trace) the queue themselves."""
    return quiet_store


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


def _traced(store: SqlStore, path: Path, action: Callable[[], object]) -> str:
    """The libpq protocol trace of what ``action`` sends on the store's connections."""
    from psycopg import pq

    traced: list[Any] = []
    with path.open("w") as handle:

        def trace(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            pgconn = dbapi_connection.pgconn
            pgconn.trace(handle.fileno())
            pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            traced.append(pgconn)

        event.listen(store.engine, "checkout", trace)
        try:
            action()
        finally:
            event.remove(store.engine, "checkout", trace)
            for pgconn in traced:
                pgconn.untrace()
    return path.read_text()


def test_a_batch_is_queued_in_one_round_trip_and_chained_in_three(
    store: SqlStore, tmp_path: Path
) -> None:
    store.audit.record(actor="a", action="warm", object_type="t", object_id="0")
    store.audit.settle()
    queued = _traced(
        store,
        tmp_path / "queue.txt",
        lambda: store.audit.record(
            actor="a", action="x", object_type="t", object_id="1", after={"k": [1]}
        ),
    )
    # Committed without waiting for the head's lock, in one round trip.
    assert "COMMIT" in queued and "FOR UPDATE" not in queued
    assert _round_trips(queued) == 1
    chained = _traced(store, tmp_path / "chain.txt", store.audit.settle)
    assert "COMMIT" in chained and "FOR UPDATE" in chained
    assert _round_trips(chained) == 3
    idle = _traced(store, tmp_path / "idle.txt", store.audit.settle)
    assert "FOR UPDATE" not in idle and _round_trips(idle) == 1  # nothing queued: one read
    assert store.audit.verify().ok
    assert [r.object_id for r in store.audit.records()] == ["0", "1"]


def test_records_are_stored_as_the_json_columns_store_them(store: SqlStore) -> None:
    store.audit.record(actor="a", action="x", object_type="t", object_id="1", after={"k": (1, "b")})
    store.audit.settle()
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
