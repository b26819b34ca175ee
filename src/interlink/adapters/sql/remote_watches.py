"""Watches that cross between nodes: which local watch stands for which watch of which peer
(``federated_watches``), and the hits partners reported on this node's watches
(``federation_hits``)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    delete,
    select,
)

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import metadata

# A watch pulled from a peer: the local watch that raises its hits here, and the peer's id.
federated_watches = Table(
    "federated_watches",
    metadata,
    Column("alert_id", Uuid, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("peer_id", Uuid, ForeignKey("peers.id", ondelete="CASCADE"), nullable=False),
    Column("remote_id", String(64), nullable=False),
    UniqueConstraint("peer_id", "remote_id"),
)

# A hit a peer reported on one of this node's watches, as the watch's disclosure lets it.
federation_hits = Table(
    "federation_hits",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("peer_id", Uuid, ForeignKey("peers.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(200), nullable=False),
    Column("alert_id", Uuid, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("view", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("peer_id", "key"),
)


@dataclass(frozen=True, slots=True)
class ReportedHit:
    """A partner's report of a hit on a watch of this node."""

    peer_id: uuid.UUID
    key: str
    alert_id: uuid.UUID
    view: dict[str, Any]
    received_at: datetime


class RemoteWatchRepository:
    """Rows of ``federated_watches`` and ``federation_hits``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def mapped(self, peer_id: uuid.UUID | None = None) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
        """Local watch id -> (peer id, the peer's watch id)."""
        query = select(federated_watches)
        if peer_id is not None:
            query = query.where(federated_watches.c.peer_id == peer_id)
        with reading(self._engine) as connection:
            return {r.alert_id: (r.peer_id, str(r.remote_id)) for r in connection.execute(query)}

    def map(
        self, connection: Connection, alert_id: uuid.UUID, peer_id: uuid.UUID, remote_id: str
    ) -> None:
        """Record that ``alert_id`` stands for the peer's watch ``remote_id``."""
        connection.execute(
            federated_watches.insert().values(
                alert_id=alert_id, peer_id=peer_id, remote_id=remote_id
            )
        )

    def record_hit(
        self,
        connection: Connection,
        peer_id: uuid.UUID,
        key: str,
        alert_id: uuid.UUID,
        view: dict[str, Any],
    ) -> bool:
        """Store a reported hit; ``False`` if this report was stored before (a replay)."""
        found = connection.execute(
            select(federation_hits.c.id).where(
                (federation_hits.c.peer_id == peer_id) & (federation_hits.c.key == key)
            )
        ).first()
        if found is not None:
            return False
        connection.execute(
            federation_hits.insert().values(
                id=uuid.uuid4(),
                peer_id=peer_id,
                key=key,
                alert_id=alert_id,
                view=json.dumps(view, sort_keys=True),
                received_at=datetime.now(UTC),
            )
        )
        return True

    def hits(self, alert_ids: list[uuid.UUID] | None = None) -> list[ReportedHit]:
        """Reported hits (on some watches), oldest first."""
        query = select(federation_hits).order_by(federation_hits.c.received_at)
        if alert_ids is not None:
            query = query.where(federation_hits.c.alert_id.in_(alert_ids))
        with reading(self._engine) as connection:
            return [
                ReportedHit(
                    r.peer_id,
                    str(r.key),
                    r.alert_id,
                    json.loads(r.view),
                    r.received_at.replace(tzinfo=UTC)
                    if r.received_at.tzinfo is None
                    else r.received_at,
                )
                for r in connection.execute(query)
            ]

    def forget_peer(self, connection: Connection, peer_id: uuid.UUID) -> None:
        """Drop what ties rows to a peer being removed (its watches stay, withdrawn)."""
        connection.execute(delete(federated_watches).where(federated_watches.c.peer_id == peer_id))
        connection.execute(delete(federation_hits).where(federation_hits.c.peer_id == peer_id))
