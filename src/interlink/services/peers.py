"""Peering: the local node's identity, and the peers it trusts, each pinned by the fingerprint
of its key and governed by a policy file. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from interlink.adapters.sql.peers import PeerRecord
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import InvalidFieldError, PeerAuthenticationError
from interlink.domain.federation import PeerPolicy
from interlink.federation.identity import (
    NodeIdentity,
    fingerprint_of,
    load_or_create_identity,
    normalise_fingerprint,
)
from interlink.federation.policy import parse_policy, policy_document
from interlink.federation.signing import WINDOW
from interlink.federation.transport import Transport


@dataclass(frozen=True, slots=True)
class LocalNode:
    """This node: its identity, its name and the agency that runs it."""

    identity: NodeIdentity
    name: str
    agency: str

    @property
    def fingerprint(self) -> str:
        """What partners pin."""
        return self.identity.fingerprint


def local_node(home: Path, name: str, agency: str) -> LocalNode:
    """The node kept under ``home/node`` (its identity created on first use)."""
    return LocalNode(load_or_create_identity(home / "node", name), name, agency)


def peer_name_from_url(url: str) -> str:
    """A default peer name: the URL's host (and port)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InvalidFieldError("peer URL", url, "must be an https:// URL")
    return parts.netloc.lower()


def read_policy_file(path: Path) -> tuple[str, PeerPolicy]:
    """The text and parsed policy of a policy file (``PolicyError`` naming the field)."""
    from interlink.adapters.files import read_input_text

    text = read_input_text(path, "policy file")
    return text, parse_policy(text, source=path.name)


def add_peer(
    store: SqlStore,
    url: str,
    fingerprint: str,
    policy_text: str,
    *,
    name: str | None = None,
    actor: str,
) -> PeerRecord:
    """Record a peering with the node at ``url`` whose key has ``fingerprint``, governed by
    ``policy_text`` (checked first); audited. The peer does the same on its side."""
    pinned = normalise_fingerprint(fingerprint)
    policy = parse_policy(policy_text)
    chosen = name or policy.peer or peer_name_from_url(url)
    with store.transaction() as tx:
        record = store.peers.add(tx, name=chosen, url=url, fingerprint=pinned, policy=policy_text)
        store.audit.append(
            tx,
            actor=actor,
            action="peer.add",
            object_type="peer",
            object_id=chosen,
            after={"url": url, "fingerprint": pinned, "policy": policy_document(policy)},
        )
    return record


def remove_peer(store: SqlStore, name: str, *, actor: str) -> PeerRecord:
    """End a peering (lists pulled from the peer stay, as lists; watches pulled from it are
    withdrawn); audited."""
    from datetime import UTC, datetime

    from interlink.adapters.sql.remote_watches import RemoteWatchRepository

    with store.transaction() as tx:
        record = store.peers.get(tx, name)
        now = datetime.now(UTC)
        pulled = RemoteWatchRepository(store.engine).mapped(record.id)
        for watch in store.watches.alerts(ids=list(pulled)):
            if watch.withdrawn_at is None:
                store.watches.withdraw(tx, watch.id, now)
        record = store.peers.remove(tx, name)
        store.audit.append(
            tx,
            actor=actor,
            action="peer.remove",
            object_type="peer",
            object_id=name,
            before={
                "url": record.url,
                "fingerprint": record.fingerprint,
                "watches_pulled": len(pulled),
            },
        )
    return record


def peer_document(store: SqlStore, record: PeerRecord) -> dict[str, Any]:
    """A peering as JSON: who, where, the pin, the policy, the pull cursors and the
    operations joined with it (each with when its figures last arrived)."""
    with store.engine.connect() as connection:
        cursors = store.peers.cursors(connection, record.id)
    from interlink.adapters.sql.operation_partners import OperationPartnerRepository
    from interlink.services.federation_outbox import pending

    joins = OperationPartnerRepository(store.engine).partners(peer_id=record.id)
    names = {op.id: op.name for op in store.casework.operations()} if joins else {}
    return {
        "name": record.name,
        "url": record.url,
        "fingerprint": record.fingerprint,
        "key_seen": record.public_key is not None,
        "exchanges": pending(store, record),
        "agency": record.agency,
        "created_at": record.created_at.isoformat(),
        "policy": policy_document(parse_policy(record.policy)),
        "pulled": [
            {
                "list": c.remote_list,
                "cursor": c.cursor,
                "version": c.version,
                "updated_at": c.updated_at.isoformat(),
            }
            for c in cursors
        ],
        "operations": [
            {
                "operation": names.get(j.operation_id, str(j.operation_id)),
                "reference": j.reference,
                "received_at": j.received_at.isoformat() if j.received_at else None,
            }
            for j in joins
        ],
    }


def get_peer(store: SqlStore, name: str) -> PeerRecord:
    """The peer called ``name`` (``NotFoundError`` if none)."""
    with store.engine.connect() as connection:
        return store.peers.get(connection, name)


def confirm_peering(
    store: SqlStore, node: LocalNode, peer: PeerRecord, transport: Transport, *, actor: str
) -> PeerRecord:
    """Say hello to ``peer`` over ``transport``: it answers (signed) only if it pinned this
    node too, so a success proves the peering mutual; its key and agency are recorded here and
    the confirmation audited. ``PeerAuthenticationError`` while the peer has not pinned this
    node; ``OSError`` when it cannot be reached."""
    from interlink.services.federation_node import PeerClient

    answer, key = PeerClient(node, peer, transport).hello()
    agency = str(answer.get("agency") or "")[:200] or None
    with store.transaction() as tx:
        store.peers.learn(tx, peer.id, public_key=key, agency=agency)
        store.audit.append(
            tx,
            actor=actor,
            action="peer.confirmed",
            object_type="peer",
            object_id=peer.name,
            after={"node": str(answer.get("node") or ""), "agency": agency},
        )
        record = store.peers.by_fingerprint(tx, peer.fingerprint)
    return record or peer


class StoreNonces:
    """The replay ledger on the store (shared by every process serving the node)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def first_use(self, node: str, nonce: str, at: datetime) -> bool:
        """Record ``nonce``; ``False`` on a replay."""
        return self._store.peers.first_use(node, nonce, at, keep=2 * WINDOW)


def pinned_peer(store: SqlStore, key_hex: str) -> PeerRecord:
    """The peer whose pinned fingerprint is that of ``key_hex`` (a key a request or document
    presents); learns the key on first contact. ``PeerAuthenticationError`` if no peer is
    pinned to it."""
    try:
        fingerprint = fingerprint_of(bytes.fromhex(key_hex))
    except ValueError as exc:
        raise PeerAuthenticationError("?", "the presented key is not hex") from exc
    with store.transaction() as tx:
        record = store.peers.by_fingerprint(tx, fingerprint)
        if record is None:
            raise PeerAuthenticationError(fingerprint[:16], "no peer is pinned to this key")
        if record.public_key is None:
            store.peers.learn(tx, record.id, public_key=key_hex, agency=record.agency)
    return record
