"""Canonical serialisation and signatures of what crosses between nodes.

- A *signed document* (a list-sync batch) is canonical JSON (keys sorted, no spaces, UTF-8)
  signed with the origin's Ed25519 key under a domain-separation prefix; it can be stored and
  verified again later, by anyone holding the origin's pinned key.
- A *signed request* (any node-to-node request) signs the method, path, recipient, a SHA-256
  of the body, a timestamp and a random nonce. The receiver accepts it only from a pinned key,
  within ``WINDOW`` seconds of its own clock, and only once per nonce (``NonceLedger``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from interlink.domain.errors import PeerAuthenticationError
from interlink.federation.identity import NodeIdentity, fingerprint_of, verify_signature

DOCUMENT_PREFIX = b"interlink-signed-document/1\n"
REQUEST_PREFIX = b"interlink-signed-request/1\n"
#: How far (seconds) a request's timestamp may be from the receiver's clock.
WINDOW = 300


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes of ``value`` (sorted keys, no insignificant space, UTF-8)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, peer: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError as exc:
        raise PeerAuthenticationError(peer, "signature is not base64") from exc


def sign_document(identity: NodeIdentity, payload: dict[str, Any]) -> bytes:
    """The signed envelope of ``payload`` as bytes: ``{"payload", "signer", "signature"}``."""
    signature = identity.sign(DOCUMENT_PREFIX + canonical(payload))
    return canonical(
        {"payload": payload, "key": identity.public_key.hex(), "signature": _b64(signature)}
    )


def _pinned_key(key_hex: Any, pinned: str) -> bytes:
    try:
        key = bytes.fromhex(str(key_hex))
    except ValueError as exc:
        raise PeerAuthenticationError(pinned, "the signer's key is not hex") from exc
    if len(key) != 32 or fingerprint_of(key) != pinned:
        raise PeerAuthenticationError(pinned, "signed by a key other than the pinned one")
    return key


def verify_document(data: bytes, pinned: str) -> dict[str, Any]:
    """The payload of a signed envelope, after checking it was signed by the key whose
    fingerprint is ``pinned``; raise ``PeerAuthenticationError`` otherwise (tampered, another
    signer, malformed)."""
    try:
        envelope = json.loads(data)
        payload = envelope["payload"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PeerAuthenticationError(pinned, "not a signed document") from exc
    if not isinstance(payload, dict):
        raise PeerAuthenticationError(pinned, "not a signed document")
    public_key = _pinned_key(envelope.get("key"), pinned)
    expected = pinned
    signature = _unb64(envelope.get("signature"), expected)
    if not verify_signature(public_key, signature, DOCUMENT_PREFIX + canonical(payload)):
        raise PeerAuthenticationError(expected, "bad signature")
    return payload


@dataclass(frozen=True, slots=True)
class RequestSignature:
    """The headers of a signed request (the HTTP adapter carries them as ``X-Interlink-*``)."""

    node: str
    key: str
    timestamp: int
    nonce: str
    signature: str

    def headers(self) -> dict[str, str]:
        """As HTTP headers."""
        return {
            "X-Interlink-Node": self.node,
            "X-Interlink-Key": self.key,
            "X-Interlink-Timestamp": str(self.timestamp),
            "X-Interlink-Nonce": self.nonce,
            "X-Interlink-Signature": self.signature,
        }

    @classmethod
    def from_headers(cls, headers: dict[str, str]) -> RequestSignature:
        """From HTTP headers; raise ``PeerAuthenticationError`` when one is missing."""
        node = headers.get("X-Interlink-Node", "")
        try:
            return cls(
                node,
                headers["X-Interlink-Key"],
                int(headers["X-Interlink-Timestamp"]),
                headers["X-Interlink-Nonce"],
                headers["X-Interlink-Signature"],
            )
        except (KeyError, ValueError) as exc:
            raise PeerAuthenticationError(node or "?", "request signature headers missing") from exc


def _request_message(
    method: str, path: str, recipient: str, body: bytes, timestamp: int, nonce: str, node: str
) -> bytes:
    lines = [
        method.upper(),
        path,
        recipient,
        node,
        hashlib.sha256(body).hexdigest(),
        str(timestamp),
        nonce,
    ]
    return REQUEST_PREFIX + "\n".join(lines).encode("utf-8")


def sign_request(
    identity: NodeIdentity,
    method: str,
    path: str,
    body: bytes,
    *,
    recipient: str,
    now: datetime | None = None,
) -> RequestSignature:
    """Sign one request to the node whose fingerprint is ``recipient``."""
    timestamp = int((now or datetime.now(UTC)).timestamp())
    nonce = secrets.token_hex(16)
    message = _request_message(
        method, path, recipient, body, timestamp, nonce, identity.fingerprint
    )
    return RequestSignature(
        identity.fingerprint,
        identity.public_key.hex(),
        timestamp,
        nonce,
        _b64(identity.sign(message)),
    )


class NonceLedger(Protocol):
    """Remembers the nonces of accepted requests for at least ``2 * WINDOW`` seconds."""

    def first_use(self, node: str, nonce: str, at: datetime) -> bool:
        """Record ``nonce`` from ``node``; ``False`` if it was recorded before (a replay)."""
        ...


def verify_request(
    signature: RequestSignature,
    method: str,
    path: str,
    body: bytes,
    *,
    pinned: str,
    recipient: str,
    nonces: NonceLedger,
    now: datetime | None = None,
) -> None:
    """Accept a signed request from the node whose key has the ``pinned`` fingerprint or
    raise ``PeerAuthenticationError``: another key, bad signature, stale or future timestamp,
    or a nonce already used (a replay)."""
    node = pinned
    public_key = _pinned_key(signature.key, pinned)
    if signature.node != node:
        raise PeerAuthenticationError(node, "the request names another node")
    now = now or datetime.now(UTC)
    if abs(now.timestamp() - signature.timestamp) > WINDOW:
        raise PeerAuthenticationError(node, f"timestamp outside the {WINDOW} s window")
    if len(signature.nonce) < 16 or len(signature.nonce) > 64:
        raise PeerAuthenticationError(node, "nonce of the wrong length")
    message = _request_message(
        method, path, recipient, body, signature.timestamp, signature.nonce, node
    )
    if not verify_signature(public_key, _unb64(signature.signature, node), message):
        raise PeerAuthenticationError(node, "bad request signature")
    if not nonces.first_use(node, signature.nonce, now):
        raise PeerAuthenticationError(node, "nonce seen before (replay)")
