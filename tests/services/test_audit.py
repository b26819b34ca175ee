"""Attacks on the audit log, each of which must be detected with the first bad record named:
on SQLite and PostgreSQL, by someone with database write access but without the node's key."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from interlink.adapters.audit_key import NodeKey, create_key
from interlink.adapters.sql.schema import audit_checkpoints, audit_head, audit_log
from interlink.adapters.sql.store import SqlStore
from interlink.audit_verifier import GENESIS, checkpoint_body, record_digest
from interlink.services.audit import (
    checkpoint_document,
    make_checkpoint,
    maybe_checkpoint,
    verify_audit,
)


@pytest.fixture
def key(tmp_path: Path) -> NodeKey:
    return create_key(tmp_path / "keys" / "audit-key.pem")


def _append(store: SqlStore, count: int) -> None:
    for i in range(count):
        with store.transaction() as tx:
            store.audit.append(
                tx, actor="examiner", action="case.read", object_type="case", object_id=f"C{i}"
            )


def _ids(store: SqlStore) -> list[int]:
    return [r.id for r in store.audit.records()]


def _execute(store: SqlStore, sql: str, **params: Any) -> None:
    with store.transaction() as tx:
        tx.execute(text(sql), params)


def _rewrite_from(store: SqlStore, position: int, actor: str) -> None:
    """What an attacker with write access does: change the record at ``position`` (1-based)
    and recompute every hash after it, and the head, so the chain is consistent again."""
    rows = list(store.audit.records())
    prev = rows[position - 2].hash if position > 1 else GENESIS
    with store.transaction() as tx:
        for index, row in enumerate(rows[position - 1 :]):
            fields = {
                "actor": actor if index == 0 else row.actor,
                "action": row.action,
                "object_type": row.object_type,
                "object_id": row.object_id,
                "before": row.before,
                "after": row.after,
            }
            digest = record_digest(prev, row.at.isoformat(), fields)
            tx.execute(
                audit_log.update()
                .where(audit_log.c.id == row.id)
                .values(prev_hash=prev, hash=digest, **fields)
            )
            prev = digest
        tx.execute(audit_head.update().values(hash=prev, count=len(rows)))


def test_an_intact_log_verifies_with_its_checkpoints(store: SqlStore, key: NodeKey) -> None:
    _append(store, 5)
    make_checkpoint(store, key)
    _append(store, 3)
    made = make_checkpoint(store, key)
    outcome = verify_audit(store, key.public_key, checkpoint_document(made, key))
    assert outcome.ok, outcome
    assert (outcome.records, outcome.checkpoints) == (8, 2)
    assert outcome.key_fingerprint == key.fingerprint


@pytest.mark.parametrize(
    ("attack", "bad", "reason"),
    [
        # A changed record is named itself; after a deleted one the chain breaks at the next.
        ("update audit_log set actor = 'someone else' where id = :i", 3, "changed"),
        ("delete from audit_log where id = :i", 4, "link"),
    ],
    ids=["changed", "deleted"],
)
def test_a_changed_or_deleted_record_is_named(
    store: SqlStore, key: NodeKey, attack: str, bad: int, reason: str
) -> None:
    _append(store, 6)
    make_checkpoint(store, key)
    ids = _ids(store)
    _execute(store, attack, i=ids[3])
    outcome = verify_audit(store, key.public_key)
    assert not outcome.ok
    assert outcome.first_bad_id == ids[bad] and reason in outcome.reason


def test_an_inserted_record_is_found(store: SqlStore, key: NodeKey) -> None:
    _append(store, 6)
    ids = _ids(store)
    rows = store.audit.records()
    # Make room after the third record, then insert a well-formed record that links to it.
    _execute(store, "update audit_log set id = id + 1000 where id > :i", i=ids[2])
    _execute(store, "update audit_log set id = id - 999 where id > :i", i=ids[2] + 999)
    fields = {
        "actor": "forger",
        "action": "case.read",
        "object_type": "case",
        "object_id": "X",
        "before": None,
        "after": None,
    }
    at = datetime.now(UTC)
    digest = record_digest(rows[2].hash, at.isoformat(), fields)
    with store.transaction() as tx:
        tx.execute(
            audit_log.insert().values(
                id=ids[2] + 1, at=at, prev_hash=rows[2].hash, hash=digest, **fields
            )
        )
    outcome = verify_audit(store, key.public_key)
    assert not outcome.ok
    # The inserted record is consistent in itself; the chain breaks at the one after it.
    assert outcome.first_bad_id == ids[3] + 1 and "link" in outcome.reason


def test_two_swapped_records_are_named(store: SqlStore, key: NodeKey) -> None:
    _append(store, 6)
    ids = _ids(store)
    a, b = ids[1], ids[2]
    _execute(store, "update audit_log set id = -1 where id = :a", a=a)
    _execute(store, "update audit_log set id = :a where id = :b", a=a, b=b)
    _execute(store, "update audit_log set id = :b where id = -1", b=b)
    outcome = verify_audit(store, key.public_key)
    assert not outcome.ok and outcome.first_bad_id == a and "link" in outcome.reason


def test_a_truncated_chain_is_found_even_with_its_head_rewritten(
    store: SqlStore, key: NodeKey
) -> None:
    _append(store, 6)
    made = make_checkpoint(store, key)
    ids = _ids(store)
    _execute(store, "delete from audit_log where id > :i", i=ids[3])
    rows = store.audit.records()
    _execute(store, "update audit_head set hash = :h, count = 4", h=rows[-1].hash)
    outcome = verify_audit(store, key.public_key, checkpoint_document(made, key))
    assert not outcome.ok and "missing" in outcome.reason


def test_a_rewritten_chain_is_caught_by_the_signed_checkpoints(
    store: SqlStore, key: NodeKey
) -> None:
    _append(store, 4)
    make_checkpoint(store, key)
    _append(store, 4)
    make_checkpoint(store, key)
    ids = _ids(store)
    _rewrite_from(store, 6, "nobody")
    assert store.audit.verify().ok  # consistent in itself: the hash chain alone is fooled
    outcome = verify_audit(store, key.public_key)
    assert not outcome.ok
    # Records 1-4 are still under an intact signature; the fifth is the first unproven one.
    assert outcome.first_bad_id == ids[4] and "rewritten" in outcome.reason


def test_checkpoints_forged_with_another_key_are_refused(
    store: SqlStore, key: NodeKey, tmp_path: Path
) -> None:
    _append(store, 5)
    make_checkpoint(store, key)
    ids = _ids(store)
    _rewrite_from(store, 2, "nobody")
    # The attacker replaces the checkpoints with ones signed by a key of their own.
    forger = create_key(tmp_path / "forger.pem")
    _execute(store, "delete from audit_checkpoints")
    make_checkpoint(store, forger)
    outcome = verify_audit(store, key.public_key)
    assert not outcome.ok and "forged" in outcome.reason
    assert outcome.first_bad_id == ids[0]
    # Even a forged row that claims the node's fingerprint does not verify.
    with store.transaction() as tx:
        fields = {
            "seq": 2,
            "record_id": ids[-1],
            "hash": store.audit.records()[-1].hash,
            "count": 5,
            "at": datetime.now(UTC).isoformat(),
            "key_fingerprint": key.fingerprint,
        }
        tx.execute(
            audit_checkpoints.insert().values(
                **fields, signature=forger.sign(checkpoint_body(fields))
            )
        )
    outcome = verify_audit(store, key.public_key)
    assert not outcome.ok and any("checkpoint 2 is forged" in p for p in outcome.problems)


def test_deleting_the_checkpoints_after_an_export_is_caught(store: SqlStore, key: NodeKey) -> None:
    _append(store, 5)
    exported = checkpoint_document(make_checkpoint(store, key), key)
    ids = _ids(store)
    _rewrite_from(store, 3, "nobody")
    _execute(store, "delete from audit_checkpoints")
    assert verify_audit(store, key.public_key).ok  # nothing left in the store to contradict it
    outcome = verify_audit(store, key.public_key, exported)
    assert not outcome.ok
    assert outcome.first_bad_id == ids[0] and "rewritten" in outcome.reason
    assert any("missing from the store" in p for p in outcome.problems)


def test_deleting_checkpoints_alone_is_caught(store: SqlStore, key: NodeKey) -> None:
    _append(store, 3)
    make_checkpoint(store, key)
    _append(store, 3)
    exported = checkpoint_document(make_checkpoint(store, key), key)
    make_checkpoint(store, key)
    _execute(store, "delete from audit_checkpoints where seq = 2")
    outcome = verify_audit(store, key.public_key)
    assert not outcome.ok and "checkpoint 2 is missing" in outcome.reason
    outcome = verify_audit(store, key.public_key, exported)
    assert any("exported checkpoint 2 is missing" in p for p in outcome.problems)


def test_an_exported_checkpoint_of_another_node_is_refused(
    store: SqlStore, key: NodeKey, tmp_path: Path
) -> None:
    _append(store, 2)
    other = create_key(tmp_path / "other.pem")
    exported = checkpoint_document(make_checkpoint(store, other), other)
    outcome = verify_audit(store, key.public_key, exported)
    assert not outcome.ok and any("not this node's" in p for p in outcome.problems)
    tampered = {**exported, "checkpoint": {**exported["checkpoint"], "count": 1}}
    outcome = verify_audit(store, other.public_key, tampered)
    assert any("signature does not verify" in p for p in outcome.problems)


def test_checkpoints_are_signed_when_due(store: SqlStore, key: NodeKey) -> None:
    start = datetime.now(UTC)
    assert maybe_checkpoint(store, key, every_records=3, every_seconds=60, now=start) is None
    _append(store, 1)
    first = maybe_checkpoint(store, key, every_records=3, every_seconds=60, now=start)
    assert first is not None and first.count == 1  # the first one is always due
    _append(store, 1)
    assert maybe_checkpoint(store, key, every_records=3, every_seconds=60, now=start) is None
    later = start + timedelta(seconds=61)
    second = maybe_checkpoint(store, key, every_records=3, every_seconds=60, now=later)
    assert second is not None and second.count == 2
    _append(store, 3)
    third = maybe_checkpoint(store, key, every_records=3, every_seconds=60, now=later)
    assert third is not None and third.count == 5 and third.seq == 3
    assert maybe_checkpoint(store, key, every_records=1, every_seconds=1, now=later) is None


def _append_from_process(url: str, count: int, actor: str) -> None:
    store = SqlStore.open(url, migrate_schema=False)
    for i in range(count):
        with store.transaction() as tx:
            store.audit.append(
                tx, actor=actor, action="case.read", object_type="case", object_id=str(i)
            )
    store.close()


def test_appends_from_several_processes_form_one_chain(store: SqlStore, key: NodeKey) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_append_from_process, args=(url, 15, f"p{n}")) for n in range(3)
    ]
    for worker in workers:
        worker.start()
    make_checkpoint(store, key)  # signing while others append takes the same lock
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    make_checkpoint(store, key)
    outcome = verify_audit(store, key.public_key)
    assert outcome.ok, outcome
    assert outcome.records == 45
