"""The tamper-evident audit log: every record chains the hash of the one before it.

Changing, inserting or deleting any record breaks the chain from that point, which ``verify``
finds. Appends lock the single ``audit_head`` row, so concurrent writers (several API workers on
PostgreSQL) still form one chain.

A record that is not part of a change (a read of case data, a token's use) is appended with
``record``: the records of many concurrent callers are written in one transaction by a group
commit (``adapters/sql/audit_group.py``), each caller returning only once its record is
committed, so the chain stays one linear chain and no record is ever only in memory.

On PostgreSQL a record is committed to a queue first and chained moments later by a chainer,
so that no writer waits for the head's lock (``adapters/sql/audit_queue.py``); every read of
the log chains what is queued first. SQLite, one writer at a time anyway, chains at once.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from interlink.adapters.sql.audit_group import GroupCommit
from interlink.adapters.sql.audit_queue import (
    AuditChainer,
    chained_rows,
    normalised,
    queue_pipelined,
    queued_row,
    settle,
)
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import audit_head, audit_log, audit_queue
from interlink.audit_verifier import GENESIS, ChainCheck, Head, verify_chain

__all__ = ["GENESIS", "AuditLog", "AuditRecord", "ChainCheck", "Head"]


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audited action: who did what to which object, with its state before and after."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: Any
    after: Any
    prev_hash: str
    hash: str


def _locked_head(connection: Connection) -> Any:
    """The head row, locked until the transaction ends. PostgreSQL locks the row; SQLite
    ignores ``FOR UPDATE`` and, in Python's driver, reads outside a transaction, so a no-op
    write first takes the database's write lock (waiting for any other writer)."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            update(audit_head).where(audit_head.c.id == 1).values(count=audit_head.c.count)
        )
    return connection.execute(
        select(audit_head.c.hash, audit_head.c.count).where(audit_head.c.id == 1).with_for_update()
    ).first()


def _fields(
    actor: str, action: str, object_type: str, object_id: str, before: Any, after: Any
) -> dict[str, Any]:
    return {
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
    }


def _chained(
    prev_hash: str, batch: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of ``batch`` (field dicts) chained after ``prev_hash``, in order, and their
    hashes. Each is stored exactly as hashed: a JSON round trip normalises tuples, keys and
    types first."""
    rows = chained_rows(prev_hash, ((datetime.now(UTC), normalised(each)) for each in batch))
    return rows, [row["hash"] for row in rows]


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AuditLog:
    """Append-only, hash-chained audit records in the store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        #: PostgreSQL queues records for the chainer; SQLite chains them at once.
        self._queued = engine.dialect.name == "postgresql"
        # Queued writes take no lock: two batches may be under way at once (a record that
        # arrives during one commit goes in the next at once, not after it).
        self._group: GroupCommit[dict[str, Any], None] = GroupCommit(
            self._append_all, writers=2 if self._queued else 1
        )
        self._chainer = AuditChainer(self.settle)

    def record(
        self,
        *,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Append a record in a transaction of its own, shared with the records other threads
        of this process append at the same moment (group commit); return once it is committed.
        A failed commit raises in every caller whose record it carried."""
        self._group.submit(_fields(actor, action, object_type, object_id, before, after))

    async def record_async(
        self,
        *,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """``record`` for a coroutine: the same group commit, waited for on the event loop
        (no thread held); returns once the record is committed."""
        await self._group.submit_async(
            _fields(actor, action, object_type, object_id, before, after)
        )

    def _append_all(self, batch: Sequence[dict[str, Any]]) -> list[None]:
        with self._engine.connect() as connection:
            if self._queued:
                queue_pipelined(connection.connection.driver_connection, batch)
                self._chainer.start()
            else:
                with connection.begin():
                    self._append_rows(connection, batch)
        return [None] * len(batch)

    def settle(self) -> int:
        """Chain every record queued (and committed) by now; return how many were chained.
        Nothing to do on SQLite, which chains at once."""
        if not self._queued:
            return 0
        return settle(self._engine)

    def close(self) -> None:
        """Stop this process's chainer, chaining what is still queued."""
        if self._queued:
            self._chainer.close()

    def _append_rows(self, connection: Connection, batch: Sequence[dict[str, Any]]) -> list[str]:
        """Chain ``batch`` (field dicts) after the head, in order, under one lock of the head."""
        head = _locked_head(connection)
        if head is None:
            connection.execute(audit_head.insert().values(id=1, hash=GENESIS, count=0))
            prev_hash, count = GENESIS, 0
        else:
            prev_hash, count = str(head[0]), int(head[1])
        rows, digests = _chained(prev_hash, batch)
        if rows:
            prev_hash = digests[-1]
            connection.execute(audit_log.insert(), rows)
            connection.execute(
                update(audit_head)
                .where(audit_head.c.id == 1)
                .values(hash=prev_hash, count=count + len(rows))
            )
        return digests

    def append(
        self,
        connection: Connection,
        *,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Add a record inside the caller's transaction: committed (or rolled back) with it.
        On PostgreSQL it is queued, and chained once the transaction has committed."""
        fields = _fields(actor, action, object_type, object_id, before, after)
        if self._queued:
            connection.execute(audit_queue.insert().inline().values(**queued_row(fields)))
            self._chainer.start()
        else:
            self._append_rows(connection, [fields])

    def records(
        self, *, limit: int | None = None, object_id: str | None = None
    ) -> list[AuditRecord]:
        """Records in chain order (optionally only those about ``object_id``, newest last)."""
        self.settle()
        query = select(audit_log).order_by(audit_log.c.id)
        if object_id is not None:
            query = query.where(audit_log.c.object_id == object_id)
        if limit is not None:
            query = query.limit(limit)
        with reading(self._engine) as connection:
            return [
                AuditRecord(
                    id=row.id,
                    at=_as_utc(row.at),
                    actor=row.actor,
                    action=row.action,
                    object_type=row.object_type,
                    object_id=row.object_id,
                    before=row.before,
                    after=row.after,
                    prev_hash=row.prev_hash,
                    hash=row.hash,
                )
                for row in connection.execute(query)
            ]

    def export_rows(self, connection: Connection) -> Generator[dict[str, Any], None, None]:
        """Every record in chain order, as the stand-alone verifier reads it (``at`` as the
        exact UTC ISO 8601 text that was hashed). Streamed: a log of millions of records is
        never held in memory whole; closing the generator closes its cursor."""
        query = select(audit_log).order_by(audit_log.c.id)
        result = connection.execution_options(yield_per=1000).execute(query)
        try:
            for row in result:
                yield {
                    "id": row.id,
                    "at": _as_utc(row.at).isoformat(),
                    "actor": row.actor,
                    "action": row.action,
                    "object_type": row.object_type,
                    "object_id": row.object_id,
                    "before": row.before,
                    "after": row.after,
                    "prev_hash": row.prev_hash,
                    "hash": row.hash,
                }
        finally:
            result.close()

    def head(self, connection: Connection, *, lock: bool = False) -> Head:
        """The chain's head now (``lock``: held until the transaction ends, so no record can
        be chained meanwhile). Records still queued are not in it: ``settle`` first to
        include them."""
        query = select(audit_head.c.hash, audit_head.c.count).where(audit_head.c.id == 1)
        row = _locked_head(connection) if lock else connection.execute(query).first()
        if row is None:
            return Head(0, GENESIS, 0)
        last = connection.execute(select(func.max(audit_log.c.id))).scalar()
        return Head(int(last or 0), str(row[0]), int(row[1]))

    def record_id_at(self, position: int) -> int | None:
        """The id of the ``position``-th record in chain order (1-based), if there is one."""
        with reading(self._engine) as connection:
            found = connection.execute(
                select(audit_log.c.id).order_by(audit_log.c.id).offset(position - 1).limit(1)
            ).scalar()
        return int(found) if found is not None else None

    def verify(self, heads: Sequence[Head] = ()) -> ChainCheck:
        """Recompute the chain from the first record, check each of ``heads`` (signed
        checkpoints) is still in it, and that nothing is missing from its end."""
        self.settle()
        with self._engine.connect() as connection:  # export_rows streams: a transaction
            rows = self.export_rows(connection)
            check = verify_chain(rows, heads)
            rows.close()  # a chain broken early leaves its cursor open
            head = connection.execute(
                select(audit_head.c.hash, audit_head.c.count).where(audit_head.c.id == 1)
            ).first()
            last = connection.execute(
                select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
            ).first()
        if not check.ok:
            return check
        newest = str(last[1]) if last is not None else GENESIS
        if head is None and check.records:
            return ChainCheck(False, check.records, None, "the chain's head record is missing")
        if head is not None and (head[0] != newest or head[1] != check.records):
            return ChainCheck(
                False, check.records, None, "records missing from the end of the chain"
            )
        return check
