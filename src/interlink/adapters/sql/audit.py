"""The tamper-evident audit log: every record chains the hash of the one before it.

Changing, inserting or deleting any record breaks the chain from that point, which ``verify``
finds. Appends lock the single ``audit_head`` row, so concurrent writers (several API workers on
PostgreSQL) still form one chain.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from interlink.adapters.sql.schema import audit_head, audit_log
from interlink.audit_verifier import GENESIS, ChainCheck, Head, record_digest, verify_chain

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


def _digest(prev_hash: str, at: datetime, fields: dict[str, Any]) -> str:
    return record_digest(prev_hash, at.astimezone(UTC).isoformat(), fields)


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


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AuditLog:
    """Append-only, hash-chained audit records in the store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

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
    ) -> str:
        """Add a record inside the caller's transaction; return its hash."""
        head = _locked_head(connection)
        if head is None:
            connection.execute(audit_head.insert().values(id=1, hash=GENESIS, count=0))
            prev_hash, count = GENESIS, 0
        else:
            prev_hash, count = str(head[0]), int(head[1])
        at = datetime.now(UTC)
        fields = {
            "actor": actor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": before,
            "after": after,
        }
        # Store exactly what was hashed: a JSON round trip normalises tuples, keys and types.
        fields = json.loads(json.dumps(fields, default=str))
        digest = _digest(prev_hash, at, fields)
        connection.execute(
            audit_log.insert().values(at=at, prev_hash=prev_hash, hash=digest, **fields)
        )
        connection.execute(
            update(audit_head).where(audit_head.c.id == 1).values(hash=digest, count=count + 1)
        )
        return digest

    def records(
        self, *, limit: int | None = None, object_id: str | None = None
    ) -> list[AuditRecord]:
        """Records in chain order (optionally only those about ``object_id``, newest last)."""
        query = select(audit_log).order_by(audit_log.c.id)
        if object_id is not None:
            query = query.where(audit_log.c.object_id == object_id)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as connection:
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
        be appended meanwhile)."""
        query = select(audit_head.c.hash, audit_head.c.count).where(audit_head.c.id == 1)
        row = _locked_head(connection) if lock else connection.execute(query).first()
        if row is None:
            return Head(0, GENESIS, 0)
        last = connection.execute(select(func.max(audit_log.c.id))).scalar()
        return Head(int(last or 0), str(row[0]), int(row[1]))

    def record_id_at(self, position: int) -> int | None:
        """The id of the ``position``-th record in chain order (1-based), if there is one."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(audit_log.c.id).order_by(audit_log.c.id).offset(position - 1).limit(1)
            ).scalar()
        return int(found) if found is not None else None

    def verify(self, heads: Sequence[Head] = ()) -> ChainCheck:
        """Recompute the chain from the first record, check each of ``heads`` (signed
        checkpoints) is still in it, and that nothing is missing from its end."""
        with self._engine.connect() as connection:
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
