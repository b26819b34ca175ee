"""Private overlap, the partner's side: "does a partner hold media of my seizure, and whom do I
contact?" (the querying side is ``services.overlap_query``).

Three signed exchanges, each audited on both sides:

1. ``open``: the querying node asks; the partner checks its policy for it (mode, daily quota)
   and answers with an offer: the session, the mode (``size`` or ``intersection``), how many
   values of each hash type it holds, and the PDQ band design (when near-duplicates are
   allowed). A refusal is audited by the partner and raised to the querying node.
2. ``query``: the querying node sends one blinded PSI request per hash type (and one of PDQ
   band tokens); the partner answers each with its setup (cached per held set and client-size
   bucket) and its blinded response. The querying node learns which of its items (or only how
   many, in ``size`` mode) the partner holds; the partner learns nothing but the counts.
3. ``reveal`` (``intersection`` mode): for the exact matches, and for the PDQs of its items
   that share a band token with the partner (candidates), the querying node asks whom to
   contact. The partner answers only for values it holds (PDQ candidates verified within the
   policy's radius), naming agency and case or list when the policy has ``contact = true``.

No hash of an item outside the intersection crosses in the clear in either direction: exact
values and band tokens cross only blinded inside PSI; the reveal step carries only matched
values and band candidates (see ``docs/architecture/federation.md`` for the leakage of a false
band candidate, bounded by the band design).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from interlink.adapters.sql.holdings import EXACT, PDQ, Contact
from interlink.adapters.sql.peers import PeerRecord
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import FormatError, PolicyRefusalError
from interlink.domain.federation import OverlapMode, PeerPolicy, overlap_allowed
from interlink.federation.bands import BandDesign, band_tokens_many, design, recall
from interlink.federation.frames import decode_frame, encode_frame
from interlink.federation.policy import parse_policy
from interlink.federation.psi import ServerSet
from interlink.federation.signing import sign_document
from interlink.services.peers import LocalNode

OFFER_TYPE = "interlink.overlap-offer/1"
ANSWER_TYPE = "interlink.overlap-answer/1"
CONTACTS_TYPE = "interlink.overlap-contacts/1"
#: How long a session may be used after it is opened.
SESSION_TTL = timedelta(minutes=30)


# -- the partner's side --------------------------------------------------------------------


@dataclass
class _Held:
    """One held set (per scope and state): a PSI set per hash type and of PDQ band tokens."""

    sets: dict[str, ServerSet]
    bands: BandDesign | None
    band_index: dict[str, list[str]] = field(default_factory=dict)


_CACHE: dict[tuple[Any, ...], _Held] = {}
_LOCK = threading.Lock()


def _scope(store: SqlStore, policy: PeerPolicy) -> tuple[list[int], bool]:
    return store.holdings.list_ids(policy.overlap.lists), policy.overlap.cases


def _held(store: SqlStore, policy: PeerPolicy) -> _Held:
    """The held sets for this policy's scope, built once per state of the store."""
    holdings = store.holdings
    list_ids, with_cases = _scope(store, policy)
    near = policy.overlap.near_duplicates
    key = (str(store.engine.url), near, holdings.state(list_ids, with_cases))
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    sets = {
        kind: ServerSet(sorted(f"{kind}:{v}" for v in holdings.values(list_ids, with_cases, kind)))
        for kind in EXACT
    }
    bands: BandDesign | None = None
    index: dict[str, list[str]] = defaultdict(list)
    if near:
        pdqs = sorted(holdings.values(list_ids, with_cases, PDQ))
        bands = design(len(pdqs))
        for value, value_tokens in zip(pdqs, band_tokens_many(pdqs, bands), strict=True):
            for token in value_tokens:
                index[token].append(value)
        sets[PDQ] = ServerSet(sorted(index))
    held = _Held(sets, bands, dict(index))
    with _LOCK:
        stale = [k for k in _CACHE if k[0] == key[0] and k[1] == near]
        for old in stale:
            del _CACHE[old]
        _CACHE[key] = held
    return held


def audit_exchange(
    store: SqlStore, actor: str, action: str, peer: str, after: dict[str, Any]
) -> None:
    """Append one audit record about an exchange with ``peer``, in its own transaction."""
    with store.transaction() as tx:
        store.audit.append(
            tx, actor=actor, action=action, object_type="peer", object_id=peer, after=after
        )


def _refuse(store: SqlStore, peer: PeerRecord, what: str, reason: str) -> PolicyRefusalError:
    """Audit a refusal to ``peer`` and return the error to raise."""
    audit_exchange(
        store,
        f"peer:{peer.name}",
        "federation.overlap.refused",
        peer.name,
        {"what": what, "reason": reason},
    )
    return PolicyRefusalError(peer.name, what, reason)


def _day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def answer_open(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    """Open an overlap session for ``peer`` if its policy allows one more today; the offer is
    a signed document. ``PolicyRefusalError`` (audited) otherwise."""
    policy = parse_policy(peer.policy)
    now = datetime.now(UTC)
    with store.transaction() as tx:
        used = store.peers.sessions_since(tx, peer.id, _day_start(now))
        refusal = overlap_allowed(policy, used)
        session = None
        if refusal is None:
            session = store.peers.open_session(tx, peer.id, policy.overlap.mode.value, now)
    if session is None:
        raise _refuse(store, peer, "query the overlap", str(refusal))
    held = _held(store, policy)
    counts = {kind: len(s.items) for kind, s in held.sets.items() if kind != PDQ}
    offer = {
        "type": OFFER_TYPE,
        "session": str(session),
        "mode": policy.overlap.mode.value,
        "counts": counts,
        "bands": held.bands.document() if held.bands else None,
        "pdq_radius": policy.overlap.pdq_radius if held.bands else None,
        # What the querying node can expect to find: recall at a few distances up to the radius.
        "recall": {
            str(d): round(recall(held.bands, d), 4)
            for d in sorted({8, 16, policy.overlap.pdq_radius})
            if d <= policy.overlap.pdq_radius
        }
        if held.bands
        else None,
    }
    audit_exchange(
        store,
        f"peer:{peer.name}",
        "federation.overlap.open",
        peer.name,
        {"session": str(session), "mode": policy.overlap.mode.value, "used_today": used + 1},
    )
    return sign_document(node.identity, offer)


def _session(
    store: SqlStore, peer: PeerRecord, session_text: Any
) -> tuple[uuid.UUID, str, int, bool]:
    try:
        session_id = uuid.UUID(str(session_text))
    except ValueError as exc:
        raise FormatError("not a session id", "request") from exc
    with store.engine.connect() as connection:
        found = store.peers.session(connection, session_id)
    if found is None or found[0] != peer.id or datetime.now(UTC) - found[2] > SESSION_TTL:
        raise _refuse(store, peer, "use this session", "unknown or expired")
    return session_id, found[1], found[3], found[4]


def answer_query(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    """Answer the blinded requests of an open session: per hash type, the (cached) setup and
    the blinded response. Only counts are audited."""
    header, blobs = decode_frame(body, peer.fingerprint)
    session_id, mode, queried, _ = _session(store, peer, header.get("session"))
    if queried:
        raise _refuse(store, peer, "query this session again", "one query per session")
    policy = parse_policy(peer.policy)
    held = _held(store, policy)
    reveal = mode == OverlapMode.INTERSECTION.value
    sizes = header.get("sizes") or {}
    out: dict[str, bytes] = {}
    for kind, request in blobs.items():
        if kind not in held.sets:
            raise _refuse(store, peer, f"query {kind}", "not offered")
        out[f"{kind}.setup"] = held.sets[kind].setup(int(sizes.get(kind, 0)))
        out[f"{kind}.response"] = held.sets[kind].answer(request, reveal=reveal)
    # What the reveal step may ask about at most: exact values queried, and PDQ items (tokens
    # over bands); at least 1 so a session that queried nothing still counts as queried.
    total = sum(int(v) for k, v in sizes.items() if k != PDQ)
    if held.bands is not None:
        total += int(sizes.get(PDQ, 0)) // held.bands.bands
    total = max(total, 1)
    with store.transaction() as tx:
        store.peers.update_session(tx, session_id, client_items=total)
    audit_exchange(
        store,
        f"peer:{peer.name}",
        "federation.overlap.answer",
        peer.name,
        {"session": str(session_id), "mode": mode, "items": {k: int(v) for k, v in sizes.items()}},
    )
    return encode_frame(node.identity, {"type": ANSWER_TYPE, "session": str(session_id)}, out)


def _contact_list(contacts: set[Contact], disclose: bool) -> list[dict[str, str]]:
    if not disclose:
        return []
    return [
        {"agency": c.agency, "reference": c.reference, "source": c.source}
        for c in sorted(contacts, key=lambda c: (c.source, c.agency, c.reference))
    ]


def answer_reveal(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    """For the values a session matched (and PDQ band candidates, verified within the radius),
    whom to contact, as the policy discloses. Values this node does not hold get no answer.
    Once per session, for at most as many values as the query had items."""
    request = json.loads(body)
    session_id, mode, items, revealed = _session(store, peer, request.get("session"))
    policy = parse_policy(peer.policy)
    if mode != OverlapMode.INTERSECTION.value or revealed:
        raise _refuse(store, peer, "reveal matches", "size-only or already revealed")
    exact = [str(v) for v in request.get("exact", [])]
    candidates = [str(v) for v in request.get("pdq", [])] if policy.overlap.near_duplicates else []
    if len(exact) + len(candidates) > items:
        raise _refuse(store, peer, "reveal matches", "more values than it queried")
    holdings = store.holdings
    list_ids, with_cases = _scope(store, policy)
    disclose = policy.overlap.contact
    matches: list[dict[str, Any]] = []
    by_kind: dict[str, list[str]] = defaultdict(list)
    for token in exact:
        kind, _, value = token.partition(":")
        if kind in EXACT:
            by_kind[kind].append(value)
    for kind, values in by_kind.items():
        found = holdings.contacts(list_ids, with_cases, kind, values)
        for value, contacts in sorted(found.items()):
            matches.append(
                {"value": f"{kind}:{value}", "contacts": _contact_list(contacts, disclose)}
            )
    near: list[dict[str, Any]] = []
    held = _held(store, policy)
    if candidates and held.bands is not None:
        best: dict[str, tuple[int, str]] = {}
        for candidate, tokens in zip(
            candidates, band_tokens_many(candidates, held.bands), strict=True
        ):
            mine = int(candidate, 16)
            for token in tokens:
                for theirs in held.band_index.get(token, ()):
                    distance = (mine ^ int(theirs, 16)).bit_count()
                    if distance <= policy.overlap.pdq_radius and (
                        candidate not in best or distance < best[candidate][0]
                    ):
                        best[candidate] = (distance, theirs)
        found = holdings.contacts(list_ids, with_cases, PDQ, sorted({t for _, t in best.values()}))
        for candidate, (distance, theirs) in sorted(best.items()):
            near.append(
                {
                    "pdq": candidate,
                    "distance": distance,
                    "contacts": _contact_list(found.get(theirs, set()), disclose),
                }
            )
    with store.transaction() as tx:
        store.peers.update_session(tx, session_id, revealed=True)
    audit_exchange(
        store,
        f"peer:{peer.name}",
        "federation.overlap.reveal",
        peer.name,
        {
            "session": str(session_id),
            "asked": len(exact) + len(candidates),
            "exact": len(matches),
            "near": len(near),
            "contacts_disclosed": disclose,
        },
    )
    return sign_document(node.identity, {"type": CONTACTS_TYPE, "exact": matches, "near": near})
