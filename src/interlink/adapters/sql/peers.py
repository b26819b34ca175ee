"""Peers of this node in the store: the pinned peering records, how far each shared list has
been pulled, where pulled entries came from, the replay ledger and overlap sessions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.federation_schema import (
    federated_entries,
    federation_nonces,
    overlap_sessions,
    peer_cursors,
    peers,
)
from interlink.adapters.sql.operation_partners import OperationPartnerRepository
from interlink.adapters.sql.outbox import federation_outbox
from interlink.adapters.sql.remote_watches import RemoteWatchRepository
from interlink.domain.errors import ConflictError, NotFoundError


@dataclass(frozen=True, slots=True)
class PeerRecord:
    """A peering as stored: the peer's name, URL, pinned fingerprint, learned key and agency,
    and the policy text (TOML) that governs what this node lets flow to it."""

    id: uuid.UUID
    name: str
    url: str
    fingerprint: str
    public_key: str | None
    agency: str | None
    policy: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Cursor:
    """How far one list shared by a peer has been pulled, and into which local list."""

    remote_list: str
    list_id: int
    cursor: int
    version: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a pulled entry came from."""

    node: str
    list: str
    seq: int


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _peer(row: object) -> PeerRecord:
    r = row._mapping  # type: ignore[attr-defined]
    return PeerRecord(
        r["id"],
        r["name"],
        r["url"],
        r["fingerprint"],
        r["public_key"],
        r["agency"],
        r["policy"],
        _utc(r["created_at"]),
        _utc(r["updated_at"]),
    )


class PeerRepository:
    """Peering records, sync cursors, entry origins, nonces and overlap sessions."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- peers -------------------------------------------------------------------------------

    def add(
        self, connection: Connection, *, name: str, url: str, fingerprint: str, policy: str
    ) -> PeerRecord:
        """Record a new peering; ``ConflictError`` if the name or fingerprint is taken."""
        now = datetime.now(UTC)
        ident = uuid.uuid4()
        clash = connection.execute(
            select(peers.c.name).where(
                (peers.c.name == name) | (peers.c.fingerprint == fingerprint)
            )
        ).first()
        if clash is not None:
            raise ConflictError(f"a peer with this name or fingerprint exists: {clash.name!r}")
        connection.execute(
            peers.insert().values(
                id=ident,
                name=name,
                url=url,
                fingerprint=fingerprint,
                public_key=None,
                agency=None,
                policy=policy,
                created_at=now,
                updated_at=now,
            )
        )
        return PeerRecord(ident, name, url, fingerprint, None, None, policy, now, now)

    def get(self, connection: Connection, name: str) -> PeerRecord:
        """The peer called ``name``; ``NotFoundError`` if there is none."""
        row = connection.execute(select(peers).where(peers.c.name == name)).first()
        if row is None:
            raise NotFoundError("peer", name)
        return _peer(row)

    def by_fingerprint(self, connection: Connection, fingerprint: str) -> PeerRecord | None:
        """The peer pinned at ``fingerprint``, if any."""
        row = connection.execute(select(peers).where(peers.c.fingerprint == fingerprint)).first()
        return None if row is None else _peer(row)

    def all(self) -> list[PeerRecord]:
        """Every peer, by name."""
        with reading(self._engine) as connection:
            return [_peer(r) for r in connection.execute(select(peers).order_by(peers.c.name))]

    def remove(self, connection: Connection, name: str) -> PeerRecord:
        """Delete a peering (its cursors and sessions go with it; pulled lists stay)."""
        record = self.get(connection, name)
        connection.execute(delete(peer_cursors).where(peer_cursors.c.peer_id == record.id))
        connection.execute(delete(overlap_sessions).where(overlap_sessions.c.peer_id == record.id))
        connection.execute(
            delete(federation_outbox).where(federation_outbox.c.peer_id == record.id)
        )
        RemoteWatchRepository(self._engine).forget_peer(connection, record.id)
        OperationPartnerRepository(self._engine).forget_peer(connection, record.id)
        connection.execute(delete(peers).where(peers.c.id == record.id))
        return record

    def learn(
        self, connection: Connection, peer_id: uuid.UUID, *, public_key: str, agency: str | None
    ) -> None:
        """Record the key (already checked against the pin) and agency a peer presented."""
        connection.execute(
            update(peers)
            .where(peers.c.id == peer_id)
            .values(public_key=public_key, agency=agency, updated_at=datetime.now(UTC))
        )

    def set_policy(self, connection: Connection, peer_id: uuid.UUID, policy: str) -> None:
        """Replace the policy text of a peering."""
        connection.execute(
            update(peers)
            .where(peers.c.id == peer_id)
            .values(policy=policy, updated_at=datetime.now(UTC))
        )

    # -- cursors and origins -------------------------------------------------------------------

    def cursors(self, connection: Connection, peer_id: uuid.UUID) -> list[Cursor]:
        """The pull cursors of a peer's lists, by list name."""
        rows = connection.execute(
            select(peer_cursors)
            .where(peer_cursors.c.peer_id == peer_id)
            .order_by(peer_cursors.c.remote_list)
        )
        return [
            Cursor(r.remote_list, int(r.list_id), int(r.cursor), r.version, _utc(r.updated_at))
            for r in rows
        ]

    def cursor(self, connection: Connection, peer_id: uuid.UUID, remote_list: str) -> Cursor | None:
        """The pull cursor of one list, locked for the caller's transaction."""
        row = connection.execute(
            select(peer_cursors)
            .where(peer_cursors.c.peer_id == peer_id, peer_cursors.c.remote_list == remote_list)
            .with_for_update()
        ).first()
        if row is None:
            return None
        return Cursor(
            row.remote_list, int(row.list_id), int(row.cursor), row.version, _utc(row.updated_at)
        )

    def set_cursor(
        self,
        connection: Connection,
        peer_id: uuid.UUID,
        remote_list: str,
        *,
        list_id: int,
        cursor: int,
        version: str,
        exists: bool,
    ) -> None:
        """Move (or create) the pull cursor of one list."""
        values = {
            "list_id": list_id,
            "cursor": cursor,
            "version": version,
            "updated_at": datetime.now(UTC),
        }
        if exists:
            connection.execute(
                update(peer_cursors)
                .where(peer_cursors.c.peer_id == peer_id, peer_cursors.c.remote_list == remote_list)
                .values(**values)
            )
        else:
            connection.execute(
                peer_cursors.insert().values(peer_id=peer_id, remote_list=remote_list, **values)
            )

    def record_origins(
        self, connection: Connection, list_id: int, origins: Sequence[tuple[str, Origin]]
    ) -> None:
        """Keep, per pulled entry key, the origin node, list and change number."""
        keys = [key for key, _ in origins]
        for start in range(0, len(keys), 500):
            connection.execute(
                delete(federated_entries).where(
                    federated_entries.c.list_id == list_id,
                    federated_entries.c.entry_key.in_(keys[start : start + 500]),
                )
            )
        if origins:
            connection.execute(
                federated_entries.insert(),
                [
                    {
                        "list_id": list_id,
                        "entry_key": key,
                        "origin_node": o.node,
                        "origin_list": o.list,
                        "origin_seq": o.seq,
                    }
                    for key, o in origins
                ],
            )

    def forget_origins(self, connection: Connection, list_id: int, keys: Sequence[str]) -> None:
        """Drop the origin records of withdrawn entries."""
        for start in range(0, len(keys), 500):
            connection.execute(
                delete(federated_entries).where(
                    federated_entries.c.list_id == list_id,
                    federated_entries.c.entry_key.in_(keys[start : start + 500]),
                )
            )

    def origins(self, list_id: int) -> dict[str, Origin]:
        """The origin of every pulled entry of a local list, by entry key."""
        with reading(self._engine) as connection:
            rows = connection.execute(
                select(federated_entries).where(federated_entries.c.list_id == list_id)
            )
            return {
                r.entry_key: Origin(r.origin_node, r.origin_list, int(r.origin_seq)) for r in rows
            }

    # -- replay ledger -------------------------------------------------------------------------

    def first_use(self, node: str, nonce: str, at: datetime, *, keep: int) -> bool:
        """Record a request nonce; ``False`` if ``node`` used it before. Nonces older than
        ``keep`` seconds are purged (their timestamps are outside the window anyway)."""
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    delete(federation_nonces).where(
                        federation_nonces.c.at < at - timedelta(seconds=keep)
                    )
                )
                connection.execute(federation_nonces.insert().values(node=node, nonce=nonce, at=at))
        except IntegrityError:
            return False
        return True

    # -- overlap sessions ----------------------------------------------------------------------

    def open_session(
        self, connection: Connection, peer_id: uuid.UUID, mode: str, at: datetime
    ) -> uuid.UUID:
        """Record an overlap query answered for a peer; return its session id."""
        ident = uuid.uuid4()
        connection.execute(
            overlap_sessions.insert().values(
                id=ident, peer_id=peer_id, opened_at=at, mode=mode, client_items=0, revealed=False
            )
        )
        return ident

    def sessions_since(self, connection: Connection, peer_id: uuid.UUID, since: datetime) -> int:
        """How many overlap queries the peer opened since ``since``."""
        return int(
            connection.execute(
                select(func.count()).where(
                    overlap_sessions.c.peer_id == peer_id, overlap_sessions.c.opened_at >= since
                )
            ).scalar_one()
        )

    def session(
        self, connection: Connection, session_id: uuid.UUID
    ) -> tuple[uuid.UUID, str, datetime, int, bool] | None:
        """``(peer_id, mode, opened_at, client_items, revealed)`` of a session, locked."""
        row = connection.execute(
            select(overlap_sessions).where(overlap_sessions.c.id == session_id).with_for_update()
        ).first()
        if row is None:
            return None
        return row.peer_id, row.mode, _utc(row.opened_at), int(row.client_items), row.revealed

    def update_session(
        self,
        connection: Connection,
        session_id: uuid.UUID,
        *,
        client_items: int | None = None,
        revealed: bool | None = None,
    ) -> None:
        """Record the size of the peer's query, or that its matches were revealed."""
        values: dict[str, object] = {}
        if client_items is not None:
            values["client_items"] = client_items
        if revealed is not None:
            values["revealed"] = revealed
        connection.execute(
            update(overlap_sessions).where(overlap_sessions.c.id == session_id).values(**values)
        )
