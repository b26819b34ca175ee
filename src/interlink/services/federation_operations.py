"""An operation that spans nodes: its dashboard adds the figures partners share.

- **Joining.** An agency taking part in an operation joins it with a peer under a reference
  both sides agreed (``link_partner``: "our TANGO-UK is the EU's EU-TANGO-2026 with the BKA");
  the peer's side does the same for its own operation with the same reference. Neither side
  alone can make figures flow: the origin answers only for an operation *it* joined with the
  asking peer under that reference, and only when its policy for that peer says
  ``[operations] share_figures = true``.
- **Pulling.** The joined side owes the peer a ``figures`` exchange per reference in the
  outbox (queued when it joins, and again at each periodic pull while the peer's offer says
  it shares figures), retried with backoff; the origin answers with a signed document of
  counts only (``answer_figures``: figures in all and per country, its agency, the time it
  computed them); the answer replaces the one held (``deliver_figures``: idempotent, an older
  answer never overwrites a newer one). When the origin refuses (it no longer shares, or left
  the join), the figures it shared before are forgotten.
- **Showing.** ``partner_figures`` is what the dashboard lists for each partner (its agency,
  the reference, when its figures were computed and received); ``total`` adds them up.

Every step is audited on its side; refusals (policy, or no joined operation) too.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from interlink.adapters.sql.operation_partners import OperationPartnerRepository
from interlink.adapters.sql.peers import PeerRecord
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Operation
from interlink.domain.errors import (
    AccessDeniedError,
    FormatError,
    InvalidFieldError,
    PolicyRefusalError,
)
from interlink.domain.principal import Capability, Principal
from interlink.federation.policy import parse_policy
from interlink.federation.signing import canonical, sign_document, verify_document
from interlink.federation.transport import OPERATION_FIGURES_PATH
from interlink.services.operation_dashboard import COLUMNS, taking_part
from interlink.services.peers import LocalNode

FIGURES = "figures"
FIGURES_TYPE = "interlink.operation-figures/1"
#: The totals a partner may share (anything else in its answer is dropped).
TOTALS = (
    "networks_identified",
    "offenders_identified",
    "children_safeguarded",
    "victims_identified",
    "cases",
    "agencies",
    "countries",
)
#: Largest count accepted from a partner, and most country rows.
_MOST = 10_000_000
_MOST_ROWS = 300


def _audit(
    store: SqlStore, actor: str, action: str, object_type: str, object_id: str, after: Any
) -> None:
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            after=after,
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- joining --------------------------------------------------------------------------------------


def _taking_part(store: SqlStore, principal: Principal, name: str) -> Operation:
    principal.require(Capability.CASES_WRITE)
    return taking_part(store, principal, name)


def link_partner(
    store: SqlStore, principal: Principal, name: str, peer_name: str, reference: str
) -> dict[str, Any]:
    """Join operation ``name`` with peer ``peer_name``'s operation under ``reference``
    (audited) and owe the peer a figures pull. Returns the partner row."""
    from interlink.services.federation_outbox import enqueue
    from interlink.services.peers import get_peer

    reference = reference.strip()
    if not reference or len(reference) > 200:
        raise InvalidFieldError("reference", reference, "must be 1 to 200 characters")
    operation = _taking_part(store, principal, name)
    peer = get_peer(store, peer_name)
    repo = OperationPartnerRepository(store.engine)
    held = repo.by_reference(peer.id, reference)
    if held is not None and held.operation_id != operation.id:
        raise InvalidFieldError(
            "reference", reference, "joins another operation with this peer already"
        )
    with store.transaction() as tx:
        new = repo.link(
            tx, operation.id, peer.id, reference, actor=principal.actor, now=datetime.now(UTC)
        )
        if new:
            store.audit.append(
                tx,
                actor=principal.actor,
                action="operation.partner.link",
                object_type="operation",
                object_id=str(operation.id),
                after={"peer": peer.name, "reference": reference},
            )
    enqueue(store, peer, FIGURES, reference)
    (row,) = [p for p in partner_figures(store, operation) if p["peer"] == peer.name]
    return {**row, "new": new}


def unlink_partner(store: SqlStore, principal: Principal, name: str, peer_name: str) -> bool:
    """End a join (its received figures are forgotten; audited); whether there was one."""
    from interlink.services.peers import get_peer

    operation = _taking_part(store, principal, name)
    peer = get_peer(store, peer_name)
    with store.transaction() as tx:
        done = OperationPartnerRepository(store.engine).unlink(tx, operation.id, peer.id)
        if done:
            store.audit.append(
                tx,
                actor=principal.actor,
                action="operation.partner.unlink",
                object_type="operation",
                object_id=str(operation.id),
                after={"peer": peer.name},
            )
    return done


# -- the origin: answering for a joined operation --------------------------------------------------


def _refuse(store: SqlStore, peer: PeerRecord, reference: str, reason: str) -> AccessDeniedError:
    _audit(
        store,
        f"peer:{peer.name}",
        "federation.operation.refused",
        "peer",
        peer.name,
        {"reference": reference, "reason": reason},
    )
    return PolicyRefusalError(peer.name, "read operation figures", reason)


def answer_figures(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    """The figures (counts only) of this node's operation joined with ``peer`` under the
    asked reference, signed; refused (audited) unless the policy shares operation figures
    with the peer and such a join exists here."""
    from interlink.services.operation_dashboard import operation_figures

    try:
        reference = str(json.loads(body)["reference"])[:200]
    except (ValueError, KeyError, TypeError) as exc:
        raise FormatError("a figures request needs a reference", "request") from exc
    if not parse_policy(peer.policy).operations.share_figures:
        raise _refuse(store, peer, reference, "the policy shares no operation figures")
    joined = OperationPartnerRepository(store.engine).by_reference(peer.id, reference)
    if joined is None:
        raise _refuse(store, peer, reference, "no operation here is joined under that reference")
    (operation,) = [op for op in store.casework.operations() if op.id == joined.operation_id]
    found = operation_figures(store, operation, f"peer:{peer.name}")
    now = datetime.now(UTC)
    _audit(
        store,
        f"peer:{peer.name}",
        "federation.operation.figures.export",
        "operation",
        str(operation.id),
        {"peer": peer.name, "reference": reference, "figures": found["figures"]},
    )
    return sign_document(
        node.identity,
        {
            "type": FIGURES_TYPE,
            "reference": reference,
            "node": node.name,
            "agency": node.agency,
            "generated_at": now.isoformat(),
            "figures": found["figures"],
            "countries": found["countries"],
        },
    )


# -- the joined side: pulling and keeping a partner's figures --------------------------------------


def queue_figure_pulls(store: SqlStore, peer: PeerRecord) -> int:
    """Owe ``peer`` a figures pull for every operation joined with it; how many were newly
    owed (one already pending is left as it is)."""
    from interlink.services.federation_outbox import enqueue

    joins = OperationPartnerRepository(store.engine).partners(peer_id=peer.id)
    return sum(enqueue(store, peer, FIGURES, join.reference) for join in joins)


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MOST:
        raise FormatError(f"figure {field} must be a count", "response")
    return value


def clean_figures(payload: dict[str, Any]) -> dict[str, Any]:
    """Only the counts of a partner's answer (``FormatError`` for anything malformed)."""
    figures, rows = payload.get("figures"), payload.get("countries")
    if not isinstance(figures, dict) or not isinstance(rows, list) or len(rows) > _MOST_ROWS:
        raise FormatError("operation figures need figures and countries", "response")
    countries = []
    for row in rows:
        code = row.get("country") if isinstance(row, dict) else None
        if not isinstance(code, str) or not 0 < len(code) <= 16:
            raise FormatError("a country row needs a country code", "response")
        countries.append({"country": code, **{c: _count(row.get(c, 0), c) for c in COLUMNS}})
    return {
        "figures": {k: _count(figures.get(k, 0), k) for k in TOTALS},
        "countries": countries,
    }


def _forget(store: SqlStore, peer: PeerRecord, reference: str) -> None:
    """The partner no longer shares (its policy, or it left the join): the figures it
    shared before stop showing (audited)."""
    repo = OperationPartnerRepository(store.engine)
    with store.transaction() as tx:
        if repo.forget_figures(tx, peer.id, reference):
            store.audit.append(
                tx,
                actor="federation",
                action="federation.operation.figures.forgotten",
                object_type="peer",
                object_id=peer.name,
                after={"reference": reference},
            )


def deliver_figures(store: SqlStore, client: Any, reference: str) -> dict[str, Any]:
    """Pull the peer's figures for ``reference`` and keep them (audited)."""
    peer: PeerRecord = client.peer
    try:
        answer = client.call("POST", OPERATION_FIGURES_PATH, canonical({"reference": reference}))
    except PolicyRefusalError:
        _forget(store, peer, reference)
        raise
    payload = verify_document(answer, peer.fingerprint)
    if payload.get("type") != FIGURES_TYPE or payload.get("reference") != reference:
        raise FormatError("not the operation figures asked for", "response")
    shared = clean_figures(payload)
    try:
        generated = datetime.fromisoformat(str(payload["generated_at"]))
    except (KeyError, ValueError) as exc:
        raise FormatError("operation figures need generated_at", "response") from exc
    agency = str(payload.get("agency") or peer.agency or peer.name)[:200]
    repo = OperationPartnerRepository(store.engine)
    with store.transaction() as tx:
        kept = repo.store_figures(
            tx,
            peer.id,
            reference,
            shared,
            agency=agency,
            generated_at=generated,
            received_at=datetime.now(UTC),
        )
        joined = repo.by_reference(peer.id, reference)
        store.audit.append(
            tx,
            actor="federation",
            action="federation.operation.figures.received",
            object_type="operation",
            object_id=str(joined.operation_id) if joined else reference,
            after={"peer": peer.name, "reference": reference, "agency": agency, "kept": kept},
        )
    return {"reference": reference, "agency": agency, "kept": kept, **shared["figures"]}


# -- the dashboard -------------------------------------------------------------------------------


def partner_figures(store: SqlStore, operation: Operation) -> list[dict[str, Any]]:
    """The peers joined with ``operation``, each with the figures it last shared (``None``
    until some arrive), its agency, and when they were computed and received."""
    peers = {p.id: p for p in store.peers.all()}
    rows = []
    for join in OperationPartnerRepository(store.engine).partners(operation_id=operation.id):
        peer = peers.get(join.peer_id)
        if peer is None:
            continue
        shared = join.figures or {}
        rows.append(
            {
                "peer": peer.name,
                "agency": join.agency or peer.agency,
                "reference": join.reference,
                "linked_at": _iso(join.linked_at),
                "generated_at": _iso(join.generated_at),
                "received_at": _iso(join.received_at),
                "figures": shared.get("figures"),
                "countries": shared.get("countries", []),
            }
        )
    return sorted(rows, key=lambda r: str(r["peer"]))


def total(local: dict[str, Any], partners: list[dict[str, Any]]) -> dict[str, Any]:
    """Local figures plus every partner's received ones: counts added up (a network or
    offender two nodes both found counts on each), country rows added country by country,
    and ``countries`` the distinct countries holding a case on any side."""
    sources = [local, *(p for p in partners if p["figures"] is not None)]
    figures: Counter[str] = Counter()
    rows: dict[str, Counter[str]] = {}
    for source in sources:
        figures.update({k: int(source["figures"].get(k, 0)) for k in TOTALS})
        for row in source["countries"]:
            rows.setdefault(row["country"], Counter()).update(
                {c: int(row.get(c, 0)) for c in COLUMNS}
            )
    if len(sources) > 1:
        figures["countries"] = sum(1 for counts in rows.values() if counts["cases"])
    return {
        "figures": {k: int(figures[k]) for k in TOTALS},
        "countries": [
            {"country": code, **{c: int(rows[code][c]) for c in COLUMNS}} for code in sorted(rows)
        ],
        "partners": sum(p["figures"] is not None for p in partners),
    }
