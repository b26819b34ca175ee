"""List sharing between nodes: the export side (the signed batch of a shared list's changes
after a peer's cursor, reduced by the policy) and the apply side (a batch verified against the
pinned key and applied idempotently to a local list ``PEER/LIST``). Audited on both sides.

Pulled entries are ordinary list entries: scans match against them, and the agency named in
each (the origin's vouching agency, else the origin node's agency) counts as one vote toward
the trusted grade.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from interlink.adapters.sql.list_rows import list_entry as _list_entry
from interlink.adapters.sql.peers import Origin, PeerRecord
from interlink.adapters.sql.schema import entry_signals, hash_lists, list_entries
from interlink.adapters.sql.signal_data import value_of
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import ConflictError, NotFoundError, PolicyRefusalError
from interlink.domain.federation import entry_view
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from interlink.federation.batches import Batch, batch_payload, opaque_key, read_batch
from interlink.federation.policy import parse_policy
from interlink.federation.signing import sign_document, verify_document
from interlink.federation.transport import Transport
from interlink.services.peers import LocalNode
from interlink.signals import pdq

if TYPE_CHECKING:
    from interlink.services.federation_node import PeerClient

#: Changes per batch when the peer does not ask for fewer.
BATCH_LIMIT = 5000
FORMAT = "federation"


def shared_lists(store: SqlStore, peer: PeerRecord) -> list[dict[str, Any]]:
    """The lists the policy shares with ``peer`` that this node holds, with their feed head."""
    policy = parse_policy(peer.policy)
    found: list[dict[str, Any]] = []
    for shared in policy.lists:
        with store.transaction() as tx:
            list_id = store.lists.find(tx, shared.name)
            if list_id is None:
                continue
            store.feed.refresh(tx, list_id)
            head = store.feed.head(tx, list_id)
        found.append({"list": shared.name, "disclosure": shared.disclosure.value, "head": head})
    return found


def _entries(store: SqlStore, ids: list[int]) -> dict[int, tuple[ListEntry, str | None]]:
    found: dict[int, tuple[ListEntry, str | None]] = {}
    with store.engine.connect() as connection:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            signals: dict[int, list[Signal]] = {}
            for row in connection.execute(
                select(entry_signals)
                .where(entry_signals.c.entry_id.in_(chunk))
                .order_by(entry_signals.c.id)
            ):
                signals.setdefault(int(row.entry_id), []).append(
                    Signal(row.type, value_of(row.value, row.data), row.quality)
                )
            query = (
                select(list_entries, hash_lists.c.name.label("list_name"))
                .select_from(
                    list_entries.join(hash_lists, hash_lists.c.id == list_entries.c.list_id)
                )
                .where(list_entries.c.id.in_(chunk))
            )
            for row in connection.execute(query):
                agency = row.agency if row.agency and row.agency != row.list_name else None
                found[int(row.id)] = (_list_entry(row, signals.get(int(row.id), [])), agency)
    return found


def export_batch(
    store: SqlStore,
    node: LocalNode,
    peer: PeerRecord,
    list_name: str,
    since: int,
    *,
    limit: int = BATCH_LIMIT,
) -> bytes:
    """The signed batch of the changes of ``list_name`` after ``since`` for ``peer``, each
    entry reduced to what the policy discloses; audited. ``PolicyRefusalError`` (also audited)
    if the list is not shared with the peer."""
    policy = parse_policy(peer.policy)
    disclosure = policy.disclosure(list_name)
    if disclosure is None:
        _audit(store, "federation.batch.refused", peer.name, {"list": list_name})
        raise PolicyRefusalError(peer.name, f"pull list {list_name!r}", "it is not shared")
    limit = max(1, min(limit, BATCH_LIMIT))
    with store.transaction() as tx:
        list_id = store.lists.find(tx, list_name)
        if list_id is None:
            raise NotFoundError("list", list_name)
        store.feed.refresh(tx, list_id)
        rows = list(store.feed.changes(tx, list_id, max(since, 0), limit + 1))
        version = tx.execute(
            select(hash_lists.c.version).where(hash_lists.c.id == list_id)
        ).scalar_one()
    more = len(rows) > limit
    rows = rows[:limit]
    entries = _entries(store, [r.entry_id for r in rows if r.entry_id is not None])
    changes: list[tuple[int, str, ListEntry | None]] = []
    for row in rows:
        key = opaque_key(node.fingerprint, list_name, row.entry_key)
        if row.entry_id is None or row.entry_id not in entries:
            changes.append((row.seq, key, None))
            continue
        entry, agency = entries[row.entry_id]
        changes.append((row.seq, key, entry_view(entry, disclosure, agency=agency)))
    until = rows[-1].seq if rows else max(since, 0)
    payload = batch_payload(
        origin=node.fingerprint,
        origin_agency=node.agency,
        recipient=peer.fingerprint,
        list_name=list_name,
        version=str(version),
        disclosure=disclosure.value,
        since=max(since, 0),
        until=until,
        more=more,
        issued_at=datetime.now(UTC).isoformat(),
        changes=changes,
    )
    data = sign_document(node.identity, payload)
    _audit(
        store,
        "federation.batch.export",
        peer.name,
        {
            "list": list_name,
            "since": since,
            "until": until,
            "changes": len(changes),
            "tombstones": sum(1 for _, _, e in changes if e is None),
            "disclosure": disclosure.value,
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    return data


def _audit(store: SqlStore, action: str, peer: str, after: dict[str, Any]) -> None:
    with store.transaction() as tx:
        store.audit.append(
            tx, actor=f"peer:{peer}", action=action, object_type="peer", object_id=peer, after=after
        )


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """What applying one batch did to the local copy of a peer's list."""

    peer: str
    remote_list: str
    local_list: str
    since: int
    until: int
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0
    skipped: int = 0
    replay: bool = False
    more: bool = False


def local_list_name(peer: str, remote_list: str) -> str:
    """The local list a peer's list is pulled into."""
    return f"{peer}/{remote_list}"


def _verify(store: SqlStore, node: LocalNode, peer: PeerRecord, data: bytes) -> Batch:
    try:
        batch = read_batch(verify_document(data, peer.fingerprint))
        if batch.origin != peer.fingerprint or batch.recipient != node.fingerprint:
            raise ConflictError("the batch names another origin or recipient")
    except Exception as exc:
        reason = str(exc)
        _audit(
            store,
            "federation.batch.rejected",
            peer.name,
            {"reason": reason, "sha256": hashlib.sha256(data).hexdigest()},
        )
        raise
    return batch


def apply_batch(
    store: SqlStore, node: LocalNode, peer: PeerRecord, data: bytes, *, actor: str
) -> ApplyResult:
    """Verify a signed batch from ``peer`` against its pinned fingerprint and apply it to the
    local list ``PEER/LIST``: upserts add or update entries (keeping their origin node, list
    and change number), tombstones delete. Idempotent: a batch (or the part of one) at or
    before the list's cursor changes nothing. A batch that starts after the cursor (a gap) is
    refused with ``ConflictError``. Audited, refusals included."""
    batch = _verify(store, node, peer, data)
    local = local_list_name(peer.name, batch.list_name)
    with store.transaction() as tx:
        cursor = store.peers.cursor(tx, peer.id, batch.list_name)
        current = cursor.cursor if cursor else 0
        if cursor is not None and batch.until <= current:
            result = ApplyResult(
                peer.name, batch.list_name, local, batch.since, batch.until, replay=True
            )
        elif batch.since > current:
            result = None
        else:
            result = _apply(store, tx, peer, batch, local, current, cursor is not None)
        digest = hashlib.sha256(data).hexdigest()
        if result is not None:
            store.audit.append(
                tx,
                actor=actor,
                action="federation.batch.replay" if result.replay else "federation.batch.apply",
                object_type="peer",
                object_id=peer.name,
                after={
                    "list": batch.list_name,
                    "local_list": local,
                    "since": batch.since,
                    "until": batch.until,
                    "added": result.added,
                    "changed": result.changed,
                    "deleted": result.deleted,
                    "sha256": digest,
                },
            )
    if result is None:
        _audit(
            store,
            "federation.batch.rejected",
            peer.name,
            {"reason": "gap", "since": batch.since, "cursor": current, "sha256": digest},
        )
        raise ConflictError(
            f"batch of {batch.list_name!r} from {peer.name!r} starts at {batch.since}, "
            f"after the cursor {current}: pull again from the cursor"
        )
    if result.added or result.changed or result.deleted:
        from interlink.services.cases import after_list_import
        from interlink.services.lists import rematch_list

        after_list_import(store, local, actor)
        rematch_list(store, local)
    return replace(result, more=batch.more)


def _apply(
    store: SqlStore,
    tx: Any,
    peer: PeerRecord,
    batch: Batch,
    local: str,
    current: int,
    exists: bool,
) -> ApplyResult:
    list_id = store.lists.find(tx, local)
    if list_id is None:
        record = HashList(local, f"peer:{peer.name}", batch.version, datetime.now(UTC))
        list_id = store.lists.create(tx, record, fmt=FORMAT, pdq_threshold=pdq.THRESHOLD)
    fresh = [c for c in batch.changes if c.seq > current]
    upserts = [c for c in fresh if c.entry is not None]
    tombstones = [f"id:{c.key}" for c in fresh if c.entry is None]
    added = changed = unchanged = 0
    if upserts:
        generation = store.lists.begin_import(tx, list_id)
        entries = [
            replace(c.entry, extra=(("agency", c.agency or batch.origin_agency),))
            for c in upserts
            if c.entry is not None
        ]
        counts = store.lists.sync(tx, list_id, generation, entries, agency=batch.origin_agency)
        added, changed, unchanged = counts.added, counts.changed, counts.unchanged
        store.peers.record_origins(
            tx,
            list_id,
            [(f"id:{c.key}", Origin(batch.origin, batch.list_name, c.seq)) for c in upserts],
        )
    deleted = store.lists.withdraw(tx, list_id, tombstones)
    store.peers.forget_origins(tx, list_id, tombstones)
    store.lists.touch(tx, list_id, source=f"peer:{peer.name}", version=batch.version)
    store.peers.set_cursor(
        tx,
        peer.id,
        batch.list_name,
        list_id=list_id,
        cursor=max(batch.until, current),
        version=batch.version,
        exists=exists,
    )
    return ApplyResult(
        peer.name,
        batch.list_name,
        local,
        batch.since,
        batch.until,
        added=added,
        changed=changed,
        unchanged=unchanged,
        deleted=deleted,
        skipped=len(batch.changes) - len(fresh),
    )


def pull_peer(
    store: SqlStore,
    node: LocalNode,
    peer: PeerRecord,
    transport: Transport,
    *,
    actor: str,
    limit: int = BATCH_LIMIT,
    client: PeerClient | None = None,
) -> list[ApplyResult]:
    """Pull every list ``peer`` shares with this node, from each list's cursor, batch after
    batch until the peer has no more; return what each batch did. A failure leaves every
    batch applied before it (and its cursor) in place, so pulling again resumes."""
    from interlink.services.federation_node import PeerClient

    client = client or PeerClient(node, peer, transport)
    results: list[ApplyResult] = []
    for item in client.shared_lists():
        name = str(item["list"])
        while True:
            with store.engine.connect() as connection:
                cursor = store.peers.cursor(connection, peer.id, name)
            since = cursor.cursor if cursor else 0
            result = apply_batch(store, node, peer, client.batch(name, since, limit), actor=actor)
            results.append(result)
            if not result.more:
                break
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=actor,
            action="federation.pull",
            object_type="peer",
            object_id=peer.name,
            after={
                "batches": len(results),
                "added": sum(r.added for r in results),
                "changed": sum(r.changed for r in results),
                "deleted": sum(r.deleted for r in results),
            },
        )
    return results
