"""The audit log's group write on PostgreSQL: a batch of records chained by the database and
committed in one round trip (the first batch of a log, which may have to make the head row, in
two: psycopg's pipeline), stored as the JSON columns store them, its times in chain order, and
a failed batch rolled back without leaving its connection in a transaction or in autocommit
mode."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
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


def _traced_record(store: SqlStore, out: Path, object_id: str) -> str:
    """Record one audit record with libpq's protocol trace on; the trace."""
    from psycopg import pq

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
                actor="a", action="x", object_type="t", object_id=object_id, after={"k": [1]}
            )
        finally:
            event.remove(store.engine, "checkout", trace)
            for pgconn in traced:
                pgconn.untrace()
    return out.read_text()


def test_a_batch_takes_one_round_trip_once_the_head_is_made(
    store: SqlStore, tmp_path: Path
) -> None:
    first = _traced_record(store, tmp_path / "first.txt", "0")
    assert "FOR UPDATE" in first and _round_trips(first) == 2  # it may have to make the head
    later = _traced_record(store, tmp_path / "later.txt", "1")
    assert "COMMIT" in later and "FOR UPDATE" in later
    assert _round_trips(later) == 1
    assert store.audit.verify().ok


def test_a_log_opened_later_chains_after_the_head_another_made(postgres_url: str) -> None:
    stores = [SqlStore.open(postgres_url) for _ in range(2)]
    try:
        for n in range(6):
            stores[n % 2].audit.record(actor="a", action="x", object_type="t", object_id=str(n))
        records = stores[0].audit.records()
        assert [r.object_id for r in records] == [str(n) for n in range(6)]
        assert [r.at for r in records] == sorted(r.at for r in records)
        assert stores[1].audit.verify().ok
    finally:
        for each in stores:
            each.close()


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


@pytest.mark.parametrize(
    "after", [None, {"k": [1, "b"], "é": "\u2603"}, 'quote " and "at":"x" inside']
)
def test_the_database_hashes_the_text_record_digest_hashes(after: Any) -> None:
    from interlink.adapters.sql.audit import _digest_parts
    from interlink.audit_verifier import RECORD_FIELDS, record_digest

    fields = {
        "actor": "a",
        "action": "x",
        "object_type": "t",
        "object_id": "1",
        "before": {"z": 1},
        "after": after,
    }
    assert set(fields) == set(RECORD_FIELDS)
    head, tail = _digest_parts(fields)
    at, prev = "2026-12-07T16:30:00.000123+00:00", "ab" * 32
    body = (head + at + tail + prev + '"}').encode()
    assert hashlib.sha256(body).hexdigest() == record_digest(prev, at, fields)


@pytest.mark.parametrize("microsecond", [0, 7, 123456])
def test_the_database_writes_a_time_as_python_s_isoformat(
    store: SqlStore, microsecond: int
) -> None:
    from interlink.adapters.sql.audit import _PG_ISO_TIME

    at = datetime(2026, 12, 7, 16, 30, 5, microsecond, tzinfo=UTC)
    expression = _PG_ISO_TIME.format(at="CAST(:at AS timestamptz)").replace("%%", "%")
    with store.engine.connect() as connection:
        found = connection.execute(text(f"SELECT {expression}"), {"at": at}).scalar()
    assert found == at.isoformat()
