"""Identities, fingerprints, signed documents and signed requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from interlink.domain.errors import InvalidFieldError, PeerAuthenticationError
from interlink.federation.identity import (
    certificate_key_fingerprint,
    generate_identity,
    load_or_create_identity,
    normalise_fingerprint,
)
from interlink.federation.signing import (
    WINDOW,
    canonical,
    sign_document,
    sign_request,
    verify_document,
    verify_request,
)


class Ledger:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def first_use(self, node: str, nonce: str, at: datetime) -> bool:
        if (node, nonce) in self.seen:
            return False
        self.seen.add((node, nonce))
        return True


def test_identity_is_kept_and_its_certificate_certifies_the_pinned_key(tmp_path: Path) -> None:
    one = load_or_create_identity(tmp_path, "node-a")
    again = load_or_create_identity(tmp_path, "node-a")
    assert one.fingerprint == again.fingerprint
    assert (tmp_path / "identity.pem").stat().st_mode & 0o777 == 0o600
    assert certificate_key_fingerprint(one.certificate_pem) == one.fingerprint
    assert (
        normalise_fingerprint(":".join(one.fingerprint.upper()[i : i + 2] for i in range(0, 64, 2)))
        == one.fingerprint
    )
    with pytest.raises(InvalidFieldError):
        normalise_fingerprint("abc")


def test_canonical_json_is_stable() -> None:
    assert canonical({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'.encode()


def test_documents_verify_only_under_the_pinned_key() -> None:
    signer, other = generate_identity("a"), generate_identity("b")
    data = sign_document(signer, {"n": 1})
    assert verify_document(data, signer.fingerprint) == {"n": 1}
    with pytest.raises(PeerAuthenticationError):
        verify_document(data, other.fingerprint)
    with pytest.raises(PeerAuthenticationError):
        verify_document(data.replace(b'"n":1', b'"n":2'), signer.fingerprint)


def test_requests_are_bound_fresh_and_used_once() -> None:
    client, server = generate_identity("a"), generate_identity("b")
    ledger = Ledger()
    now = datetime.now(UTC)
    signature = sign_request(client, "POST", "/p", b"body", recipient=server.fingerprint, now=now)
    check = {"pinned": client.fingerprint, "recipient": server.fingerprint, "nonces": ledger}
    verify_request(signature, "POST", "/p", b"body", **check)  # type: ignore[arg-type]
    with pytest.raises(PeerAuthenticationError, match="replay"):
        verify_request(signature, "POST", "/p", b"body", **check)  # type: ignore[arg-type]
    fresh = sign_request(client, "POST", "/p", b"body", recipient=server.fingerprint)
    with pytest.raises(PeerAuthenticationError, match="bad request signature"):
        verify_request(fresh, "POST", "/p", b"other", **check)  # type: ignore[arg-type]
    with pytest.raises(PeerAuthenticationError, match="bad request signature"):
        verify_request(
            fresh,
            "POST",
            "/p",
            b"body",
            pinned=client.fingerprint,
            recipient="0" * 64,
            nonces=ledger,
        )
    old = sign_request(
        client,
        "POST",
        "/p",
        b"",
        recipient=server.fingerprint,
        now=now - timedelta(seconds=WINDOW + 5),
    )
    with pytest.raises(PeerAuthenticationError, match="window"):
        verify_request(old, "POST", "/p", b"", **check)  # type: ignore[arg-type]
