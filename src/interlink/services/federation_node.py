"""What a node answers its peers: every request is authenticated (signed by a pinned key,
inside the time window, never replayed), routed, and audited; refusals are audited too.

``handle`` is the one entry point the HTTP adapter calls for every ``/federation/v1/...``
request (and the in-process transport calls directly); ``PeerClient`` is the calling side.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from interlink.adapters.sql.peers import PeerRecord
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import FormatError, InterlinkError, NotFoundError
from interlink.federation.signing import (
    RequestSignature,
    canonical,
    sign_document,
    sign_request,
    verify_document,
    verify_request,
)
from interlink.federation.transport import (
    BATCH_PATH,
    HELLO_PATH,
    HITS_PATH,
    LISTS_PATH,
    OPERATION_FIGURES_PATH,
    OVERLAP_OPEN_PATH,
    OVERLAP_QUERY_PATH,
    OVERLAP_REVEAL_PATH,
    WATCHES_PATH,
    Transport,
)
from interlink.services.peers import LocalNode, StoreNonces, pinned_peer

Handler = Callable[[SqlStore, LocalNode, PeerRecord, bytes], bytes]
SHARED_LISTS_TYPE = "interlink.shared-lists/1"
HELLO_TYPE = "interlink.hello/1"
#: Called with the authenticated peer before its request is routed (the HTTP adapter's
#: per-peer rate limit); raises to refuse.
Admit = Callable[[PeerRecord], None]


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError as exc:
        raise FormatError("request body is not JSON", "request") from exc
    if not isinstance(value, dict):
        raise FormatError("request body must be a JSON object", "request")
    return value


def _lists(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    from interlink.federation.policy import parse_policy
    from interlink.services.federation_sync import shared_lists

    found = shared_lists(store, peer)
    policy = parse_policy(peer.policy)
    watches = policy.deconfliction.send_watches
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=f"peer:{peer.name}",
            action="federation.lists",
            object_type="peer",
            object_id=peer.name,
            after={"lists": [item["list"] for item in found]},
        )
    return sign_document(
        node.identity,
        {
            "type": SHARED_LISTS_TYPE,
            "lists": found,
            "watches": watches,
            "operations": policy.operations.share_figures,
        },
    )


def _hello(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    """The peer pinned this node and proved its key: the peering is mutual. Answer with this
    node's name and agency (signed), and record the peer's name and agency for this node."""
    request = _json_body(body)
    agency = str(request.get("agency") or "")[:200] or None
    with store.transaction() as tx:
        current = store.peers.by_fingerprint(tx, peer.fingerprint)
        if current is not None and current.public_key and agency and agency != current.agency:
            store.peers.learn(tx, peer.id, public_key=current.public_key, agency=agency)
        store.audit.append(
            tx,
            actor=f"peer:{peer.name}",
            action="federation.hello",
            object_type="peer",
            object_id=peer.name,
            after={"node": str(request.get("node") or ""), "agency": agency},
        )
    return sign_document(
        node.identity,
        {
            "type": HELLO_TYPE,
            "node": node.name,
            "agency": node.agency,
            "fingerprint": node.fingerprint,
            "to": peer.fingerprint,
        },
    )


def _batch(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    from interlink.services.federation_sync import BATCH_LIMIT, export_batch

    request = _json_body(body)
    try:
        name = str(request["list"])
        since = int(request.get("since", 0))
        limit = int(request.get("limit", BATCH_LIMIT))
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError("a batch request needs list, since and limit", "request") from exc
    return export_batch(store, node, peer, name, since, limit=limit)


def _deconfliction(name: str) -> Handler:
    def run(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
        from interlink.services import federation_watches

        handler: Handler = getattr(federation_watches, name)
        return handler(store, node, peer, body)

    return run


def _figures(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
    from interlink.services.federation_operations import answer_figures

    return answer_figures(store, node, peer, body)


def _overlap(name: str) -> Handler:
    def run(store: SqlStore, node: LocalNode, peer: PeerRecord, body: bytes) -> bytes:
        from interlink.services import federation_overlap

        handler: Handler = getattr(federation_overlap, name)
        return handler(store, node, peer, body)

    return run


ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", HELLO_PATH): _hello,
    ("GET", LISTS_PATH): _lists,
    ("POST", BATCH_PATH): _batch,
    ("POST", OVERLAP_OPEN_PATH): _overlap("answer_open"),
    ("POST", OVERLAP_QUERY_PATH): _overlap("answer_query"),
    ("POST", OVERLAP_REVEAL_PATH): _overlap("answer_reveal"),
    ("GET", WATCHES_PATH): _deconfliction("answer_watches"),
    ("POST", HITS_PATH): _deconfliction("answer_hit"),
    ("POST", OPERATION_FIGURES_PATH): _figures,
}


def authenticate(
    store: SqlStore,
    node: LocalNode,
    headers: dict[str, str],
    method: str,
    path: str,
    body: bytes,
) -> PeerRecord:
    """The pinned peer that signed this request; ``PeerAuthenticationError`` (audited) if the
    request is not proven to come from one, in time and only once."""
    try:
        signature = RequestSignature.from_headers(headers)
        peer = pinned_peer(store, signature.key)
        verify_request(
            signature,
            method,
            path,
            body,
            pinned=peer.fingerprint,
            recipient=node.fingerprint,
            nonces=StoreNonces(store),
        )
    except InterlinkError as exc:
        with store.transaction() as tx:
            store.audit.append(
                tx,
                actor="peer:?",
                action="federation.request.refused",
                object_type="request",
                object_id=f"{method} {path}",
                after={"node": headers.get("X-Interlink-Node", ""), "reason": str(exc)},
            )
        raise
    return peer


def handle(
    store: SqlStore,
    node: LocalNode,
    headers: dict[str, str],
    method: str,
    path: str,
    body: bytes,
    *,
    admit: Admit | None = None,
) -> bytes:
    """Answer one request from a peer: authenticate, admit (``admit``: the per-peer rate
    limit), route, return the response body. Raises ``PeerAuthenticationError``,
    ``PolicyRefusalError``, ``NotFoundError``, ``FormatError`` or what ``admit`` raises."""
    handler = ROUTES.get((method.upper(), path))
    if handler is None:
        raise NotFoundError("federation route", f"{method} {path}")
    peer = authenticate(store, node, headers, method, path, body)
    if admit is not None:
        admit(peer)
    return handler(store, node, peer, body)


class PeerClient:
    """Signed requests from this node to one peer, through a transport."""

    def __init__(self, node: LocalNode, peer: PeerRecord, transport: Transport) -> None:
        self.node = node
        self.peer = peer
        self.transport = transport
        #: The peer's last shared-lists answer (it also says whether it sends watches and
        #: shares operation figures).
        self.offer: dict[str, Any] = {}

    def call(self, method: str, path: str, body: bytes = b"") -> bytes:
        """Send one signed request; return the raw response body."""
        signature = sign_request(
            self.node.identity, method, path, body, recipient=self.peer.fingerprint
        )
        return self.transport.send(method, path, signature.headers(), body)

    def call_json(self, path: str, request: dict[str, Any]) -> bytes:
        """POST a canonical JSON body."""
        return self.call("POST", path, canonical(request))

    def hello(self) -> tuple[dict[str, Any], str]:
        """Prove this node to the peer; its signed answer (verified) names it and its agency.
        Returns the answer and the peer's key (hex). ``PeerAuthenticationError`` while the
        peer has not pinned this node."""
        body = {"node": self.node.name, "agency": self.node.agency}
        data = self.call_json(HELLO_PATH, body)
        payload = verify_document(data, self.peer.fingerprint)
        if payload.get("type") != HELLO_TYPE or payload.get("to") != self.node.fingerprint:
            raise FormatError("not a hello answer for this node", "response")
        return payload, str(json.loads(data)["key"])

    def shared_lists(self) -> list[dict[str, Any]]:
        """The lists the peer shares with this node (a signed answer, verified)."""
        payload = verify_document(self.call("GET", LISTS_PATH), self.peer.fingerprint)
        if payload.get("type") != SHARED_LISTS_TYPE or not isinstance(payload.get("lists"), list):
            raise FormatError("not a shared-lists answer", "response")
        self.offer = payload
        return list(payload["lists"])

    def batch(self, list_name: str, since: int, limit: int) -> bytes:
        """The signed batch of ``list_name`` after ``since`` (verified when applied)."""
        return self.call_json(BATCH_PATH, {"list": list_name, "since": since, "limit": limit})
