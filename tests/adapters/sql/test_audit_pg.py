"""The audit log's group write on PostgreSQL: a batch of records chained and committed in two
round trips (psycopg's pipeline), or one when the node's processes share the head in a file,
stored as the JSON columns store them, a failed batch rolled back without leaving its
connection in a transaction or in autocommit mode, and the chain linear whatever the file
says."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from interlink.adapters.sql.audit import AuditLog
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


def _traced(store: SqlStore, tmp_path: Path, audit: AuditLog, object_id: str) -> str:
    """The libpq protocol trace of one record's group write."""
    from psycopg import pq

    out = tmp_path / f"trace-{object_id}.txt"
    traced: list[Any] = []
    with out.open("w") as handle:

        def trace(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            pgconn = dbapi_connection.pgconn
            pgconn.trace(handle.fileno())
            pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            traced.append(pgconn)

        event.listen(store.engine, "checkout", trace)
        try:
            audit.record(
                actor="a", action="x", object_type="t", object_id=object_id, after={"k": [1]}
            )
        finally:
            event.remove(store.engine, "checkout", trace)
            for pgconn in traced:
                pgconn.untrace()
    return out.read_text()


def test_a_batch_takes_two_round_trips(store: SqlStore, tmp_path: Path) -> None:
    store.audit.record(actor="a", action="warm", object_type="t", object_id="0")
    recorded = _traced(store, tmp_path, store.audit, "1")
    assert "COMMIT" in recorded and "FOR UPDATE" in recorded
    assert _round_trips(recorded) == 2
    assert store.audit.verify().ok


def test_with_the_head_shared_a_batch_takes_one_round_trip(store: SqlStore, tmp_path: Path) -> None:
    audit = AuditLog(store.engine)
    audit.share_head(tmp_path / "run" / "audit.head")
    audit.record(actor="a", action="warm", object_type="t", object_id="0")  # fills the file
    recorded = _traced(store, tmp_path, audit, "1")
    assert "COMMIT" in recorded and "FOR UPDATE" not in recorded
    assert _round_trips(recorded) == 1
    assert store.audit.verify().ok


def test_a_head_moved_behind_the_file_costs_a_retry_not_a_fork(
    store: SqlStore, tmp_path: Path
) -> None:
    shared = tmp_path / "run" / "audit.head"
    audit = AuditLog(store.engine)
    audit.share_head(shared)
    audit.record(actor="node", action="x", object_type="t", object_id="1")
    # Another writer (the command line, a job worker) moves the head; the file is behind.
    store.audit.record(actor="elsewhere", action="x", object_type="t", object_id="2")
    audit.record(actor="node", action="x", object_type="t", object_id="3")
    shared.write_text("f" * 64)  # and a file that never was the head
    audit.record(actor="node", action="x", object_type="t", object_id="4")
    assert [r.object_id for r in store.audit.records()] == ["1", "2", "3", "4"]
    assert store.audit.verify().ok
    assert shared.read_text() == store.audit.records()[-1].hash
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count FROM audit_head")).scalar() == 4
    recorded = _traced(store, tmp_path, audit, "5")  # the file is right again
    assert _round_trips(recorded) == 1


def test_processes_sharing_the_head_write_one_chain(store: SqlStore, tmp_path: Path) -> None:
    """Two logs on one file, as two server processes are, and one without it (a job worker),
    each with threads appending at once."""
    shared = tmp_path / "run" / "audit.head"
    logs = [AuditLog(store.engine), AuditLog(store.engine), store.audit]
    logs[0].share_head(shared)
    logs[1].share_head(shared)
    start = threading.Barrier(9)

    def work(log: AuditLog, name: str) -> None:
        start.wait()
        for i in range(12):
            log.record(actor=name, action="x", object_type="t", object_id=str(i))

    threads = [threading.Thread(target=work, args=(logs[n % 3], f"w{n}")) for n in range(9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = store.audit.records()
    assert len(records) == 9 * 12 and store.audit.verify().ok
    for n in range(9):
        assert [int(r.object_id) for r in records if r.actor == f"w{n}"] == list(range(12))


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
