"""Bearer secrets (API tokens, session ids, CSRF tokens): made at random, shown once, stored
only as their SHA-256 (they carry 256 bits of entropy, so a fast hash is enough)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: Prefix of personal API tokens, so that secret scanners can recognise a leaked one.
TOKEN_PREFIX = "ilk_"


def new_token() -> str:
    """A new personal API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_id() -> str:
    """A new browser session id."""
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    """A new anti-CSRF token bound to a session."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the store keeps of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
