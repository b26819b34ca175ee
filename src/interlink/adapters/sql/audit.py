"""The tamper-evident audit log: every record chains the hash of the one before it.

Changing, inserting or deleting any record breaks the chain from that point, which ``verify``
finds. Appends lock the single ``audit_head`` row, so concurrent writers (several API workers on
PostgreSQL) still form one chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from interlink.adapters.sql.schema import audit_head, audit_log

GENESIS = "0" * 64


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


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The result of verifying the chain: ``ok``, how many records, the first broken id."""

    ok: bool
    records: int
    first_bad_id: int | None = None
    reason: str = ""


def _digest(prev_hash: str, at: datetime, fields: dict[str, Any]) -> str:
    body = json.dumps(
        {"prev": prev_hash, "at": at.astimezone(UTC).isoformat(), **fields},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


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
        head = connection.execute(
            select(audit_head.c.hash, audit_head.c.count)
            .where(audit_head.c.id == 1)
            .with_for_update()
        ).first()
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

    def verify(self) -> ChainCheck:
        """Recompute the chain from the first record and compare it with what is stored."""
        prev = GENESIS
        count = 0
        with self._engine.connect() as connection:
            for row in connection.execute(select(audit_log).order_by(audit_log.c.id)):
                count += 1
                if row.prev_hash != prev:
                    return ChainCheck(False, count, row.id, "link to the previous record broken")
                fields = {
                    "actor": row.actor,
                    "action": row.action,
                    "object_type": row.object_type,
                    "object_id": row.object_id,
                    "before": row.before,
                    "after": row.after,
                }
                if _digest(prev, _as_utc(row.at), fields) != row.hash:
                    return ChainCheck(False, count, row.id, "record changed after it was written")
                prev = row.hash
            head = connection.execute(
                select(audit_head.c.hash, audit_head.c.count).where(audit_head.c.id == 1)
            ).first()
        if head is not None and (head[0] != prev or head[1] != count):
            return ChainCheck(False, count, None, "records missing from the end of the chain")
        return ChainCheck(True, count)
