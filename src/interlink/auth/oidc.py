"""OpenID Connect, authorisation code flow with PKCE: the values a login carries (state,
nonce, code verifier and its S256 challenge), the authorisation URL, and the checks on the ID
token (signature against the provider's keys, issuer, audience, expiry, nonce). Pure: the
HTTP calls are in ``adapters.oidc``."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from interlink.domain.errors import AuthenticationError

#: Signature algorithms accepted on ID tokens (never ``none``, never HMAC with a public key).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
#: Authentication methods (RFC 8176 ``amr``) that count as a second factor.
SECOND_FACTOR_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "pin"})
LEEWAY_SECONDS = 60


@dataclass(frozen=True, slots=True)
class LoginRequest:
    """What a login in flight must remember until its callback."""

    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls) -> LoginRequest:
        """Fresh random values."""
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48))

    @property
    def code_challenge(self) -> str:
        """The S256 PKCE challenge of the verifier."""
        digest = hashlib.sha256(self.code_verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(
    endpoint: str, *, client_id: str, redirect_uri: str, request: LoginRequest
) -> str:
    """Where to send the browser to log in at the provider."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid profile email",
            "state": request.state,
            "nonce": request.nonce,
            "code_challenge": request.code_challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def verify_id_token(
    token: str,
    jwks: Mapping[str, Any],
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of ``token`` if it is signed by one of the provider's keys and names this
    issuer, this client as audience, this login's nonce, and has not expired;
    ``AuthenticationError`` otherwise."""
    try:
        keys = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
        at = int(now if now is not None else time.time())
        registry = jwt.JWTClaimsRegistry(
            now=at,
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            nonce={"essential": True, "value": nonce},
            sub={"essential": True},
            exp={"essential": True},
        )
        registry.validate(decoded.claims)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise AuthenticationError(f"the identity provider's token was refused: {exc}") from None
    claims = dict(decoded.claims)
    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise AuthenticationError("the identity provider's token was issued to another party")
    return claims


def second_factor(claims: Mapping[str, Any]) -> bool:
    """Whether the provider says the user passed a second factor (``amr``)."""
    methods = claims.get("amr")
    return isinstance(methods, list) and bool(SECOND_FACTOR_AMR & {str(m) for m in methods})
