"""Private overlap, the querying side: ask a partner privately which media of a seizure it
holds (or how many), and whom to contact about them. The protocol and what crosses are
described in ``services.federation_overlap`` (the partner's side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interlink.adapters.sql.holdings import EXACT, PDQ, Contact, SeizedItem
from interlink.adapters.sql.peers import PeerRecord
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import FormatError, PolicyRefusalError
from interlink.federation.bands import BandDesign, band_tokens_many
from interlink.federation.frames import decode_frame, encode_frame
from interlink.federation.psi import ClientQuery
from interlink.federation.signing import verify_document
from interlink.federation.transport import (
    OVERLAP_OPEN_PATH,
    OVERLAP_QUERY_PATH,
    OVERLAP_REVEAL_PATH,
    Transport,
)
from interlink.services.federation_overlap import (
    ANSWER_TYPE,
    CONTACTS_TYPE,
    OFFER_TYPE,
    audit_exchange,
)
from interlink.services.peers import LocalNode

#: The narrowest PDQ band the querying node accepts from a partner's offer.
MIN_BAND_WIDTH = 16
#: The querying node sends no PDQ candidates for verification when more than this share of its
#: items are candidates (a partner whose band set matches nearly everything would otherwise
#: learn the PDQs of a whole seizure).
MAX_CANDIDATE_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class MatchContact:
    """One media of the seizure the partner holds, how it matched, and whom to contact."""

    sha256: str
    via: str  # md5, sha1, sha256 or pdq
    distance: int
    contacts: tuple[Contact, ...]


@dataclass(frozen=True, slots=True)
class OverlapResult:
    """What a partner's answer says about a seizure."""

    peer: str
    mode: str
    items: int
    shared: int
    by_kind: dict[str, int]
    matches: tuple[MatchContact, ...] = ()
    candidates: int = 0


def _signed_call(client: Any, path: str, request: dict[str, Any]) -> dict[str, Any]:
    return verify_document(client.call_json(path, request), client.peer.fingerprint)


def query_overlap(
    store: SqlStore,
    node: LocalNode,
    peer: PeerRecord,
    transport: Transport,
    items: list[SeizedItem],
    *,
    actor: str,
    case: str = "",
) -> OverlapResult:
    """Ask ``peer`` privately which of ``items`` it holds (or how many), and whom to contact
    about them; audited here (the partner audits its side)."""
    from interlink.services.federation_node import PeerClient

    client = PeerClient(node, peer, transport)
    try:
        offer = _signed_call(client, OVERLAP_OPEN_PATH, {"items": len(items)})
    except PolicyRefusalError as exc:
        audit_exchange(
            store,
            actor,
            "federation.overlap.refused",
            peer.name,
            {"case": case, "reason": str(exc)},
        )
        raise
    if offer.get("type") != OFFER_TYPE:
        raise FormatError("not an overlap offer", "response")
    mode, session = str(offer["mode"]), str(offer["session"])
    counts = {str(k): int(v) for k, v in (offer.get("counts") or {}).items()}
    kinds = [kind for kind in EXACT if counts.get(kind)]
    tokens = {kind: [f"{kind}:{getattr(item, kind)}" for item in items] for kind in kinds}
    bands = None
    if isinstance(offer.get("bands"), dict) and mode == "intersection":
        offered = BandDesign(int(offer["bands"]["width"]), int(offer["bands"]["bands"]))
        if offered.width >= MIN_BAND_WIDTH and offered.width * offered.bands <= 256:
            bands = offered
    imaged = [item for item in items if item.pdq]
    band_owner: list[int] = []
    if bands is not None and imaged:
        tokens[PDQ] = []
        every = band_tokens_many([str(item.pdq) for item in imaged], bands)
        for number, item_tokens in enumerate(every):
            tokens[PDQ].extend(item_tokens)
            band_owner.extend([number] * len(item_tokens))
    queries = {
        kind: ClientQuery.of(values, reveal=mode == "intersection")
        for kind, values in tokens.items()
        if values
    }
    frame = encode_frame(
        node.identity,
        {"session": session, "sizes": {k: len(tokens[k]) for k in queries}},
        {kind: q.request for kind, q in queries.items()},
    )
    header, blobs = decode_frame(
        transport_call(client, OVERLAP_QUERY_PATH, frame), peer.fingerprint
    )
    if header.get("type") != ANSWER_TYPE:
        raise FormatError("not an overlap answer", "response")
    by_kind: dict[str, int] = {}
    held_exact: dict[str, str] = {}  # token -> sha256 of our media
    candidates: dict[str, str] = {}  # pdq -> sha256 of our media
    for kind, q in queries.items():
        setup, response = blobs[f"{kind}.setup"], blobs[f"{kind}.response"]
        if mode != "intersection":
            by_kind[kind] = q.size(setup, response)
            continue
        hits = q.intersection(setup, response)
        if kind == PDQ:
            for index in hits:
                item = imaged[band_owner[index]]
                candidates[str(item.pdq)] = item.sha256
            by_kind[kind] = len(candidates)
        else:
            by_kind[kind] = len(hits)
            for index in hits:
                held_exact[tokens[kind][index]] = items[index].sha256
    if mode != "intersection":
        shared = max(by_kind.values(), default=0)
        result = OverlapResult(peer.name, mode, len(items), shared, by_kind)
    else:
        result = _reveal(client, peer, session, items, held_exact, candidates, by_kind)
    audit_exchange(
        store,
        actor,
        "federation.overlap.query",
        peer.name,
        {
            "case": case,
            "items": len(items),
            "mode": mode,
            "shared": result.shared,
            "by_kind": by_kind,
            "contacts": sum(len(m.contacts) for m in result.matches),
        },
    )
    return result


def transport_call(client: Any, path: str, body: bytes) -> bytes:
    """POST raw bytes through the peer client (signed)."""
    return bytes(client.call("POST", path, body))


def _reveal(
    client: Any,
    peer: PeerRecord,
    session: str,
    items: list[SeizedItem],
    held_exact: dict[str, str],
    candidates: dict[str, str],
    by_kind: dict[str, int],
) -> OverlapResult:
    checked = candidates
    if len(candidates) > max(16, int(len(items) * MAX_CANDIDATE_SHARE)):
        checked = {}  # implausibly many: the partner's band set would learn our PDQs
    answer = _signed_call(
        client,
        OVERLAP_REVEAL_PATH,
        {"session": session, "exact": sorted(held_exact), "pdq": sorted(checked)},
    )
    if answer.get("type") != CONTACTS_TYPE:
        raise FormatError("not an overlap contacts answer", "response")
    matches: dict[str, MatchContact] = {}

    def contacts(raw: Any) -> tuple[Contact, ...]:
        return tuple(
            Contact(str(c["agency"]), str(c["reference"]), str(c["source"])) for c in raw or []
        )

    for match in answer.get("exact", []):
        sha256 = held_exact.get(str(match["value"]))
        if sha256 is None:
            continue  # the partner answered for a value we did not ask about
        kind = str(match["value"]).partition(":")[0]
        known = matches.get(sha256)
        merged = contacts(match["contacts"]) + (known.contacts if known else ())
        matches[sha256] = MatchContact(sha256, kind, 0, tuple(sorted(set(merged), key=str)))
    near = 0
    for match in answer.get("near", []):
        sha256 = checked.get(str(match["pdq"]))
        if sha256 is None or sha256 in matches:
            continue
        near += 1
        matches[sha256] = MatchContact(
            sha256, PDQ, int(match["distance"]), contacts(match["contacts"])
        )
    found = dict(by_kind)
    if PDQ in found:
        found[PDQ] = near
    return OverlapResult(
        peer.name,
        "intersection",
        len(items),
        len(matches),
        found,
        tuple(sorted(matches.values(), key=lambda m: m.sha256)),
        candidates=len(candidates),
    )
