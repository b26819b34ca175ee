"""Deconfliction across borders: watches placed on one node raise hits on its partners' scans.

- The **origin** offers its active watches to a peer whose policy says ``send_watches``
  (``answer_watches``: a signed document; the owner agency, title, message, priority,
  disclosure, expiry and triggers).
- The **partner** pulls them (``pull_watches``) into local watches held by a stand-in agency
  (``OWNER (via PEER)``), with ids derived from the peer's so pulling again adds nothing; a
  watch the origin no longer offers is withdrawn. Its own scans then hit them like any watch,
  and the agency whose case hit sees the hit here, as the watch's disclosure allows.
- When the partner's policy for the origin says ``report_hits``, each hit (grouped by watch
  and case, as the owner's view of it: agency, and case and items only as the disclosure
  allows) is queued in the outbox (``queue_hit_reports``) and delivered
  (``deliver_hit``); the origin stores it once (``answer_hit``, idempotent on replay) for the
  watch's owner. Every step is audited on its side.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from interlink.adapters.sql.peers import PeerRecord
from interlink.adapters.sql.remote_watches import RemoteWatchRepository
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import FormatError, NotFoundError, PolicyRefusalError
from interlink.federation.policy import parse_policy
from interlink.federation.signing import canonical, sign_document, verify_document
from interlink.federation.transport import HITS_PATH, WATCHES_PATH
from interlink.linking.deconfliction import (
    AlertHit,
    Disclosure,
    Priority,
    TriggerKind,
    owner_view,
)
from interlink.services.peers import LocalNode

WATCHES_TYPE = "interlink.watches/1"
HIT_TYPE = "interlink.hit/1"
HIT_ACK_TYPE = "interlink.hit-ack/1"
HIT = "hit"
_NAMESPACE = uuid.UUID("6f1d3c52-8a0e-4b59-9d7e-15f0c0a1e215")


def _audit(store: SqlStore, actor: str, action: str, peer: str, after: dict[str, Any]) -> None:
    with store.transaction() as tx:
        store.audit.append(
            tx, actor=actor, action=action, object_type="peer", object_id=peer, after=after
        )


# -- the origin: offering watches, receiving hit reports ----------------------------------------


def answer_watches(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    """This node's active watches, for a peer whose policy says ``send_watches`` (watches
    pulled from other peers are not passed on)."""
    if not parse_policy(peer.policy).deconfliction.send_watches:
        reason = "the policy sends no watches"
        _audit(
            store, f"peer:{peer.name}", "federation.watches.refused", peer.name, {"reason": reason}
        )
        raise PolicyRefusalError(peer.name, "pull watches", reason)
    now = datetime.now(UTC)
    foreign = set(RemoteWatchRepository(store.engine).mapped())
    alerts = [a for a in store.watches.alerts() if a.active(now) and a.id not in foreign]
    triggers: dict[uuid.UUID, list[list[str]]] = defaultdict(list)
    for trigger in store.watches.triggers(alert_ids=[a.id for a in alerts]):
        triggers[trigger.alert_id].append([trigger.kind.value, trigger.value])
    agencies = {a.id: a for a in store.cases.agencies()}
    offered = [
        {
            "id": str(a.id),
            "agency": agencies[a.agency_id].name,
            "country": agencies[a.agency_id].country,
            "contact": agencies[a.agency_id].contact,
            "title": a.title,
            "message": a.message,
            "priority": a.priority.name.lower(),
            "disclosure": a.disclosure.value,
            "expires_at": a.expires_at.isoformat() if a.expires_at else None,
            "triggers": triggers[a.id],
        }
        for a in alerts
        if triggers[a.id]
    ]
    _audit(
        store,
        f"peer:{peer.name}",
        "federation.watches.export",
        peer.name,
        {"watches": len(offered)},
    )
    return sign_document(node.identity, {"type": WATCHES_TYPE, "watches": offered})


def answer_hit(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    """Store a partner's report of a hit on one of this node's watches (once per report
    key), for the watch's owner; acknowledge it (signed)."""
    try:
        report = json.loads(body)
        key, watch, view = str(report["key"]), uuid.UUID(str(report["watch"])), report["view"]
    except (ValueError, KeyError, TypeError) as exc:
        raise FormatError("a hit report needs key, watch and view", "request") from exc
    if not isinstance(view, dict) or len(key) > 200:
        raise FormatError("a hit report's view must be an object", "request")
    if not parse_policy(peer.policy).deconfliction.send_watches:
        raise PolicyRefusalError(peer.name, "report hits", "no watches were sent to it")
    if watch in RemoteWatchRepository(store.engine).mapped():
        raise NotFoundError("watch", str(watch))
    store.watches.get(watch)  # NotFoundError for a watch this node does not have
    with store.transaction() as tx:
        new = RemoteWatchRepository(store.engine).record_hit(tx, peer.id, key, watch, view)
        store.audit.append(
            tx,
            actor=f"peer:{peer.name}",
            action="federation.hit.received" if new else "federation.hit.replay",
            object_type="watch",
            object_id=str(watch),
            after={
                "peer": peer.name,
                "agency": (view.get("agency") or {}).get("name"),
                "items": view.get("items"),
            },
        )
    return sign_document(node.identity, {"type": HIT_ACK_TYPE, "key": key, "new": new})


def reported_hits(store: SqlStore) -> list[dict[str, Any]]:
    """Hits partners reported on this node's watches, as each report showed them."""
    peers = {p.id: p.name for p in store.peers.all()}
    return [
        {
            "peer": peers.get(hit.peer_id, "?"),
            "watch": str(hit.alert_id),
            "received_at": hit.received_at.isoformat(),
            **{k: v for k, v in hit.view.items() if k not in ("alert", "side")},
        }
        for hit in RemoteWatchRepository(store.engine).hits()
    ]


# -- the partner: pulling watches, reporting hits ------------------------------------------------


def local_watch_id(peer: PeerRecord, remote_id: str) -> uuid.UUID:
    """The id of the local watch standing for the peer's watch ``remote_id``."""
    return uuid.uuid5(_NAMESPACE, f"{peer.fingerprint}/{remote_id}")


def pull_watches(
    store: SqlStore, node: LocalNode, peer: PeerRecord, client: Any, *, actor: str
) -> dict[str, int]:
    """Bring the peer's offered watches here (new ones checked against what is held, as any
    new watch); withdraw those it no longer offers. Returns counts."""
    from interlink.services.cases import acting_agency
    from interlink.services.watches import TriggerSpec, add_watch

    payload = verify_document(client.call("GET", WATCHES_PATH), peer.fingerprint)
    if payload.get("type") != WATCHES_TYPE or not isinstance(payload.get("watches"), list):
        raise FormatError("not a watches answer", "response")
    repo = RemoteWatchRepository(store.engine)
    mapped = {remote: local for local, (_, remote) in repo.mapped(peer.id).items()}
    added = hits = withdrawn = 0
    offered: set[str] = set()
    for watch in payload["watches"]:
        remote = str(watch["id"])[:64]
        offered.add(remote)
        if remote in mapped:
            continue
        owner = acting_agency(
            store,
            f"{str(watch['agency'])[:150]} (via {peer.name})",
            str(watch.get("country") or "ZZ"),
            str(watch.get("contact") or ""),
            actor=actor,
        )
        specs = [TriggerSpec(TriggerKind(str(k)), str(v)) for k, v in watch["triggers"]]
        expires = watch.get("expires_at")
        placed = add_watch(
            store,
            owner,
            specs,
            title=str(watch["title"]),
            priority=Priority[str(watch.get("priority", "normal")).upper()],
            disclosure=Disclosure(str(watch.get("disclosure", "agency"))),
            message=str(watch.get("message") or ""),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            actor=actor,
            alert_id=local_watch_id(peer, remote),
        )
        with store.transaction() as tx:
            repo.map(tx, placed.alert.id, peer.id, remote)
        added += 1
        hits += len(placed.hits)
    now = datetime.now(UTC)
    for remote, local in mapped.items():
        if remote not in offered and store.watches.get(local).withdrawn_at is None:
            with store.transaction() as tx:
                store.watches.withdraw(tx, local, now)
            withdrawn += 1
    counts = {"offered": len(offered), "added": added, "withdrawn": withdrawn, "hits": hits}
    _audit(store, actor, "federation.watches.pull", peer.name, counts)
    return counts


def queue_hit_reports(store: SqlStore, peer: PeerRecord) -> int:
    """Queue a report to ``peer`` of every hit here on a watch pulled from it (grouped by
    watch and case, as the owner's view), when this node's policy for it says
    ``report_hits``. Returns how many reports were newly queued."""
    from interlink.services.federation_outbox import enqueue

    if not parse_policy(peer.policy).deconfliction.report_hits:
        return 0
    mapped = RemoteWatchRepository(store.engine).mapped(peer.id)
    if not mapped:
        return 0
    alerts = {a.id: a for a in store.watches.alerts(ids=list(mapped))}
    triggers = {t.id: t for t in store.watches.triggers(alert_ids=list(mapped))}
    groups: dict[tuple[uuid.UUID, uuid.UUID], list[AlertHit]] = defaultdict(list)
    for alert_id in mapped:
        for hit in store.watches.hits(owner=alerts[alert_id].agency_id):
            if hit.alert_id == alert_id:
                groups[(alert_id, hit.case_id)].append(hit)
    agencies = {a.id: a for a in store.cases.agencies()}
    cases = store.cases.by_ids([case for _, case in groups])
    queued = 0
    for (alert_id, case_id), group in sorted(groups.items()):
        view = owner_view(
            alerts[alert_id], group, triggers, agencies[group[0].agency_id], cases[case_id].name
        )
        view.pop("alert", None)
        subjects = sorted({h.subject for h in group})
        key = hashlib.sha256(f"{alert_id}/{case_id}/{'|'.join(subjects)}".encode()).hexdigest()
        body = canonical({"watch": mapped[alert_id][1], "key": key, "view": view})
        if enqueue(store, peer, HIT, key, body.decode("utf-8"), rearm=False):
            queued += 1
    return queued


def deliver_hit(client: Any, body: str) -> dict[str, Any]:
    """Send one queued hit report; the origin's signed acknowledgement."""
    answer = verify_document(
        client.call("POST", HITS_PATH, body.encode("utf-8")), client.peer.fingerprint
    )
    if answer.get("type") != HIT_ACK_TYPE:
        raise FormatError("not a hit acknowledgement", "response")
    return {"key": answer.get("key"), "new": bool(answer.get("new"))}
