"""The audit queue on PostgreSQL: a record is committed without waiting for the chain head's
lock, chained by a chainer moments later (or by the next read of the log), never lost nor
chained twice, and counted while it waits; SQLite chains at once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from interlink.adapters.sql import audit_queue
from interlink.adapters.sql.exposure import REVEAL_ACTION, reveals_since
from interlink.adapters.sql.store import SqlStore


def _counts(store: SqlStore) -> tuple[int, int]:
    """(records queued, records chained), read straight from the tables."""
    with store.engine.connect() as connection:
        queued = connection.execute(text("SELECT count(*) FROM audit_queue")).scalar_one()
        chained = connection.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    return int(queued), int(chained)


@pytest.mark.postgres
def test_a_record_is_committed_to_the_queue_and_chained_by_a_read(quiet_store: SqlStore) -> None:
    quiet_store.audit.record(actor="a", action="case.read", object_type="case", object_id="1")
    assert _counts(quiet_store) == (1, 0)  # stored before record returned; not chained yet
    (record,) = quiet_store.audit.records()
    assert record.object_id == "1" and _counts(quiet_store) == (0, 1)
    assert quiet_store.audit.verify().ok


@pytest.mark.postgres
def test_the_chainer_chains_what_is_queued_by_itself(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_queue, "CHAIN_SECONDS", 0.05)
    store = SqlStore.open(postgres_url)
    try:
        store.audit.record(actor="a", action="case.read", object_type="case", object_id="1")
        deadline = time.monotonic() + 10
        while _counts(store) != (0, 1) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _counts(store) == (0, 1)  # nobody read the log: the chainer moved it
    finally:
        store.close()


@pytest.mark.postgres
def test_closing_the_store_chains_what_it_queued(postgres_url: str) -> None:
    store = SqlStore.open(postgres_url)
    store.audit.record(actor="a", action="x", object_type="t", object_id="1")
    store.close()
    reader = SqlStore.open(postgres_url)
    try:
        assert _counts(reader) == (0, 1)
    finally:
        reader.close()


@pytest.mark.postgres
def test_a_change_s_record_is_queued_and_chained_with_its_transaction(
    quiet_store: SqlStore,
) -> None:
    with pytest.raises(RuntimeError), quiet_store.transaction() as tx:
        quiet_store.audit.append(
            tx, actor="a", action="case.create", object_type="case", object_id="1"
        )
        raise RuntimeError("the change failed")
    assert _counts(quiet_store) == (0, 0)  # rolled back with the change
    with quiet_store.transaction() as tx:
        quiet_store.audit.append(
            tx, actor="a", action="case.create", object_type="case", object_id="2"
        )
    assert [r.object_id for r in quiet_store.audit.records()] == ["2"]


@pytest.mark.postgres
def test_an_open_change_does_not_hold_up_another_record(quiet_store: SqlStore) -> None:
    # Before the queue, a transaction that had appended held the head's lock to its commit,
    # and every other writer waited for it.
    other = SqlStore.open(str(quiet_store.engine.url.render_as_string(hide_password=False)))
    try:
        with quiet_store.transaction() as tx:
            quiet_store.audit.append(
                tx, actor="a", action="list.import", object_type="list", object_id="L"
            )
            done = threading.Event()

            def read_a_case() -> None:
                other.audit.record(actor="b", action="case.read", object_type="case", object_id="c")
                done.set()

            reader = threading.Thread(target=read_a_case)
            reader.start()
            assert done.wait(10), "a record waited for another transaction's commit"
            reader.join()
        actions = [r.action for r in quiet_store.audit.records()]
        assert sorted(actions) == ["case.read", "list.import"]
        assert quiet_store.audit.verify().ok
    finally:
        other.close()


@pytest.mark.postgres
def test_concurrent_writers_and_chainers_form_one_chain_with_every_record_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_queue, "CHAIN_SECONDS", 0.01)
    stores = [SqlStore.open(postgres_url) for _ in range(3)]  # three processes' chainers
    try:
        start = threading.Barrier(6)

        def work(worker: int) -> None:
            store = stores[worker % 3]
            start.wait()
            for i in range(40):
                if i % 4:
                    store.audit.record(
                        actor=f"w{worker}", action="read", object_type="t", object_id=str(i)
                    )
                else:
                    with store.transaction() as tx:
                        store.audit.append(
                            tx,
                            actor=f"w{worker}",
                            action="change",
                            object_type="t",
                            object_id=str(i),
                        )
                if i % 10 == 0:
                    store.audit.settle()  # a read of the log meanwhile

        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        records = stores[0].audit.records()
        assert len(records) == 6 * 40
        assert len({(r.actor, r.object_id) for r in records}) == 6 * 40
        for worker in range(6):  # each writer's records in the order it wrote them
            mine = [int(r.object_id) for r in records if r.actor == f"w{worker}"]
            assert mine == list(range(40))
        assert stores[0].audit.verify().ok
        assert _counts(stores[0]) == (0, 240)
    finally:
        for store in stores:
            store.close()


@pytest.mark.postgres
def test_a_checkpoint_s_head_covers_what_was_queued(quiet_store: SqlStore, tmp_path: Path) -> None:
    from interlink.adapters.audit_key import create_key
    from interlink.services.audit import make_checkpoint

    quiet_store.audit.record(actor="a", action="x", object_type="t", object_id="1")
    checkpoint = make_checkpoint(quiet_store, create_key(tmp_path / "node.key"))
    assert checkpoint.count == 1 and _counts(quiet_store) == (0, 1)


@pytest.mark.postgres
def test_a_queued_reveal_counts(quiet_store: SqlStore) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    quiet_store.audit.record(actor="a", action=REVEAL_ACTION, object_type="media", object_id="m1")
    assert _counts(quiet_store) == (1, 0)
    assert reveals_since(quiet_store.engine, "a", since) == 1
    quiet_store.audit.settle()
    assert reveals_since(quiet_store.engine, "a", since) == 1


def test_sqlite_chains_at_once(tmp_path: Path) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path}/interlink.db")
    try:
        store.audit.record(actor="a", action="x", object_type="t", object_id="1")
        with store.transaction() as tx:
            store.audit.append(tx, actor="a", action="y", object_type="t", object_id="2")
        assert _counts(store) == (0, 2)
        assert store.audit.settle() == 0
    finally:
        store.close()
