"""Operations joined across nodes (``operation_partners``): which local operation is joined
with which peer under which agreed reference, and the figures that peer last shared for it
(aggregate counts only, with the partner's agency, the time it computed them and the time
they arrived here)."""

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
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    delete,
    select,
    update,
)

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import metadata

operation_partners = Table(
    "operation_partners",
    metadata,
    Column("operation_id", Uuid, ForeignKey("operations.id", ondelete="CASCADE"), nullable=False),
    Column("peer_id", Uuid, ForeignKey("peers.id", ondelete="CASCADE"), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("linked_by", String(200), nullable=False),
    Column("linked_at", DateTime(timezone=True), nullable=False),
    # The partner's last shared figures (JSON), its agency, when it computed them, when here.
    Column("figures", Text, nullable=True),
    Column("agency", String(200), nullable=True),
    Column("generated_at", DateTime(timezone=True), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=True),
    PrimaryKeyConstraint("operation_id", "peer_id"),
    UniqueConstraint("peer_id", "reference"),
)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class OperationPartner:
    """A local operation joined with a peer's under ``reference``, and what it shared."""

    operation_id: uuid.UUID
    peer_id: uuid.UUID
    reference: str
    linked_by: str
    linked_at: datetime
    figures: dict[str, Any] | None
    agency: str | None
    generated_at: datetime | None
    received_at: datetime | None


def _partner(row: Any) -> OperationPartner:
    linked = _utc(row.linked_at)
    assert linked is not None
    return OperationPartner(
        row.operation_id,
        row.peer_id,
        str(row.reference),
        str(row.linked_by),
        linked,
        json.loads(row.figures) if row.figures else None,
        row.agency,
        _utc(row.generated_at),
        _utc(row.received_at),
    )


class OperationPartnerRepository:
    """Rows of ``operation_partners``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def link(
        self,
        connection: Connection,
        operation_id: uuid.UUID,
        peer_id: uuid.UUID,
        reference: str,
        *,
        actor: str,
        now: datetime,
    ) -> bool:
        """Join the operation with the peer under ``reference``; ``False`` if it already
        was (under that reference). A new reference replaces the old one and forgets the
        figures received under it."""
        found = connection.execute(
            select(operation_partners.c.reference).where(
                (operation_partners.c.operation_id == operation_id)
                & (operation_partners.c.peer_id == peer_id)
            )
        ).first()
        if found is not None and found.reference == reference:
            return False
        if found is not None:
            self.unlink(connection, operation_id, peer_id)
        connection.execute(
            operation_partners.insert().values(
                operation_id=operation_id,
                peer_id=peer_id,
                reference=reference,
                linked_by=actor,
                linked_at=now,
            )
        )
        return True

    def unlink(self, connection: Connection, operation_id: uuid.UUID, peer_id: uuid.UUID) -> bool:
        """End the join (and forget the figures received); whether there was one."""
        done = connection.execute(
            delete(operation_partners).where(
                (operation_partners.c.operation_id == operation_id)
                & (operation_partners.c.peer_id == peer_id)
            )
        )
        return bool(done.rowcount)

    def by_reference(self, peer_id: uuid.UUID, reference: str) -> OperationPartner | None:
        """The local operation joined with ``peer_id`` under ``reference``, if any."""
        query = select(operation_partners).where(
            (operation_partners.c.peer_id == peer_id)
            & (operation_partners.c.reference == reference)
        )
        with reading(self._engine) as connection:
            row = connection.execute(query).first()
        return None if row is None else _partner(row)

    def partners(
        self, *, operation_id: uuid.UUID | None = None, peer_id: uuid.UUID | None = None
    ) -> list[OperationPartner]:
        """The joins (of one operation, of one peer), oldest first."""
        query = select(operation_partners).order_by(operation_partners.c.linked_at)
        if operation_id is not None:
            query = query.where(operation_partners.c.operation_id == operation_id)
        if peer_id is not None:
            query = query.where(operation_partners.c.peer_id == peer_id)
        with reading(self._engine) as connection:
            return [_partner(r) for r in connection.execute(query)]

    def store_figures(
        self,
        connection: Connection,
        peer_id: uuid.UUID,
        reference: str,
        figures: dict[str, Any],
        *,
        agency: str,
        generated_at: datetime,
        received_at: datetime,
    ) -> bool:
        """Keep the figures the peer shared under ``reference`` (replacing older ones; an
        answer older than the one held is ignored); whether they were kept."""
        found = connection.execute(
            select(operation_partners.c.generated_at).where(
                (operation_partners.c.peer_id == peer_id)
                & (operation_partners.c.reference == reference)
            )
        ).first()
        if found is None:
            return False
        held = _utc(found.generated_at)
        if held is not None and held > generated_at:
            return False
        connection.execute(
            update(operation_partners)
            .where(
                (operation_partners.c.peer_id == peer_id)
                & (operation_partners.c.reference == reference)
            )
            .values(
                figures=json.dumps(figures, sort_keys=True),
                agency=agency,
                generated_at=generated_at,
                received_at=received_at,
            )
        )
        return True

    def forget_figures(self, connection: Connection, peer_id: uuid.UUID, reference: str) -> bool:
        """Drop the figures held for a join (the join stays); whether there were any."""
        done = connection.execute(
            update(operation_partners)
            .where(
                (operation_partners.c.peer_id == peer_id)
                & (operation_partners.c.reference == reference)
                & operation_partners.c.figures.is_not(None)
            )
            .values(figures=None, agency=None, generated_at=None, received_at=None)
        )
        return bool(done.rowcount)

    def forget_peer(self, connection: Connection, peer_id: uuid.UUID) -> None:
        """Drop the joins with a peer being removed."""
        connection.execute(
            delete(operation_partners).where(operation_partners.c.peer_id == peer_id)
        )
