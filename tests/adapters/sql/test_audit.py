"""The audit log's group write on PostgreSQL: a batch of records queued and committed in one
round trip and chained in three (psycopg's pipeline), stored as the JSON columns store them,
and a failed batch rolled back without leaving its connection in a transaction or in
autocommit mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from interlink.adapters.sql.store import SqlStore
from tests.adapters.sql.pgtrace import round_trips, traced

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(quiet_store: SqlStore) -> SqlStore:
    """No chainer runs meanwhile: the tests chain (and trace) the queue themselves."""
    return quiet_store


def test_a_batch_is_queued_in_one_round_trip_and_chained_in_three(
    store: SqlStore, tmp_path: Path
) -> None:
    store.audit.record(actor="a", action="warm", object_type="t", object_id="0")
    store.audit.settle()
    queued = traced(
        store,
        tmp_path / "queue.txt",
        lambda: store.audit.record(
            actor="a", action="x", object_type="t", object_id="1", after={"k": [1]}
        ),
    )
    # Committed without waiting for the head's lock, in one round trip.
    assert "COMMIT" in queued and "FOR UPDATE" not in queued
    assert round_trips(queued) == 1
    chained = traced(store, tmp_path / "chain.txt", store.audit.settle)
    assert "COMMIT" in chained and "FOR UPDATE" in chained
    assert round_trips(chained) == 3
    idle = traced(store, tmp_path / "idle.txt", store.audit.settle)
    assert "FOR UPDATE" not in idle and round_trips(idle) == 1  # nothing queued: one read
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
