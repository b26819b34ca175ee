"""The federation outbox: exchanges with peers this node still owes, retried with backoff.

One row per (peer, kind, key): enqueuing an exchange that is already pending changes nothing
(idempotent), and one that is done or failed is armed again. A process claims a due row by
moving its next attempt past a lease, so several server processes never run the same
exchange at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    select,
    update,
)

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import metadata

PENDING, DONE, FAILED = "pending", "done", "failed"

federation_outbox = Table(
    "federation_outbox",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("peer_id", Uuid, ForeignKey("peers.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("key", String(200), nullable=False),
    Column("body", Text, nullable=False, default=""),
    Column("state", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("peer_id", "kind", "key"),
    Index("ix_federation_outbox_state_next", "state", "next_at"),
)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


@dataclass(frozen=True, slots=True)
class Exchange:
    """One exchange owed to a peer."""

    id: uuid.UUID
    peer_id: uuid.UUID
    kind: str
    key: str
    body: str
    state: str
    attempts: int
    next_at: datetime
    last_error: str | None


def _exchange(row: object) -> Exchange:
    r = row._mapping  # type: ignore[attr-defined]
    return Exchange(
        r["id"],
        r["peer_id"],
        r["kind"],
        r["key"],
        r["body"],
        r["state"],
        int(r["attempts"]),
        _utc(r["next_at"]),
        r["last_error"],
    )


class OutboxRepository:
    """The rows of ``federation_outbox``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def enqueue(
        self,
        connection: Connection,
        peer_id: uuid.UUID,
        kind: str,
        key: str,
        body: str = "",
        *,
        now: datetime,
        rearm: bool = True,
    ) -> bool:
        """Owe ``kind``/``key`` to the peer, due now; ``False`` if it was already pending (or
        owed at all, without ``rearm``)."""
        found = connection.execute(
            select(federation_outbox.c.id, federation_outbox.c.state).where(
                (federation_outbox.c.peer_id == peer_id)
                & (federation_outbox.c.kind == kind)
                & (federation_outbox.c.key == key)
            )
        ).first()
        if found is None:
            connection.execute(
                federation_outbox.insert().values(
                    id=uuid.uuid4(),
                    peer_id=peer_id,
                    kind=kind,
                    key=key,
                    body=body,
                    state=PENDING,
                    attempts=0,
                    next_at=now,
                    last_error=None,
                    created_at=now,
                    updated_at=now,
                )
            )
            return True
        if found.state == PENDING or not rearm:
            return False
        connection.execute(
            update(federation_outbox)
            .where(federation_outbox.c.id == found.id)
            .values(state=PENDING, attempts=0, next_at=now, body=body, updated_at=now)
        )
        return True

    def due(self, now: datetime, *, peer_id: uuid.UUID | None = None) -> list[Exchange]:
        """Pending exchanges whose next attempt is due, oldest first."""
        query = select(federation_outbox).where(
            (federation_outbox.c.state == PENDING) & (federation_outbox.c.next_at <= now)
        )
        if peer_id is not None:
            query = query.where(federation_outbox.c.peer_id == peer_id)
        with reading(self._engine) as connection:
            rows = connection.execute(query.order_by(federation_outbox.c.next_at)).all()
        return [_exchange(r) for r in rows]

    def claim(self, exchange: Exchange, now: datetime, lease: float) -> bool:
        """Take ``exchange`` for ``lease`` seconds; ``False`` if another process took it."""
        with self._engine.begin() as connection:
            result = connection.execute(
                update(federation_outbox)
                .where(
                    (federation_outbox.c.id == exchange.id)
                    & (federation_outbox.c.state == PENDING)
                    & (federation_outbox.c.next_at == exchange.next_at)
                )
                .values(next_at=now + timedelta(seconds=lease), updated_at=now)
            )
        return bool(result.rowcount == 1)

    def finish(
        self,
        exchange_id: uuid.UUID,
        state: str,
        *,
        now: datetime,
        attempts: int,
        next_at: datetime | None = None,
        error: str | None = None,
    ) -> None:
        """Record an attempt's outcome: done, failed, or pending again at ``next_at``."""
        with self._engine.begin() as connection:
            connection.execute(
                update(federation_outbox)
                .where(federation_outbox.c.id == exchange_id)
                .values(
                    state=state,
                    attempts=attempts,
                    next_at=next_at or now,
                    last_error=error,
                    updated_at=now,
                )
            )

    def all(self, peer_id: uuid.UUID | None = None) -> list[Exchange]:
        """Every exchange (of one peer), for ``peers show``."""
        query = select(federation_outbox).order_by(federation_outbox.c.created_at)
        if peer_id is not None:
            query = query.where(federation_outbox.c.peer_id == peer_id)
        with reading(self._engine) as connection:
            return [_exchange(r) for r in connection.execute(query)]
