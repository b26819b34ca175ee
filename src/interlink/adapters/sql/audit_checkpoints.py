"""Signed checkpoints of the audit chain, as stored (the signing happens in the service)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import audit_checkpoints
from interlink.audit_verifier import CHECKPOINT_FIELDS, Head


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """One signed head of the chain: its sequence number, the head, when, by which key."""

    seq: int
    record_id: int
    hash: str
    count: int
    at: str
    key_fingerprint: str
    signature: str

    @property
    def head(self) -> Head:
        """The head it signed, labelled for messages."""
        return Head(self.record_id, self.hash, self.count, f"checkpoint {self.seq}")

    def fields(self) -> dict[str, Any]:
        """The fields its signature covers (``audit_verifier.CHECKPOINT_FIELDS``)."""
        return {name: getattr(self, name) for name in CHECKPOINT_FIELDS}


class CheckpointRepository:
    """Stores and lists checkpoints; sequence numbers are given under the chain's head lock."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def next_seq(self, connection: Connection) -> int:
        """The sequence number the next checkpoint gets (call with the head locked)."""
        return int(connection.execute(select(func.max(audit_checkpoints.c.seq))).scalar() or 0) + 1

    def add(self, connection: Connection, checkpoint: StoredCheckpoint) -> None:
        """Store ``checkpoint`` inside the caller's transaction."""
        connection.execute(
            audit_checkpoints.insert().values(**checkpoint.fields(), signature=checkpoint.signature)
        )

    def all(self) -> list[StoredCheckpoint]:
        """Every stored checkpoint, oldest first."""
        with reading(self._engine) as connection:
            rows = connection.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq))
            return [_checkpoint(row) for row in rows]

    def last(self) -> StoredCheckpoint | None:
        """The newest checkpoint, if any."""
        with reading(self._engine) as connection:
            row = connection.execute(
                select(audit_checkpoints).order_by(audit_checkpoints.c.seq.desc()).limit(1)
            ).first()
        return _checkpoint(row) if row is not None else None


def _checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(
        seq=int(row.seq),
        record_id=int(row.record_id),
        hash=str(row.hash),
        count=int(row.count),
        at=str(row.at),
        key_fingerprint=str(row.key_fingerprint),
        signature=str(row.signature),
    )
