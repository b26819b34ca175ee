"""HTTP to an agency's OpenID Connect provider: its discovery document, its keys, and the
exchange of an authorisation code (with the PKCE verifier) for tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from interlink.domain.errors import AuthenticationError, ConfigurationError

TIMEOUT = httpx.Timeout(10.0)


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """What the discovery document says, the keys fetched from its ``jwks_uri``."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks: dict[str, Any]


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code != 200:
        raise AuthenticationError(f"the identity provider's {what} answered {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise AuthenticationError(f"the identity provider's {what} is not JSON") from None
    if not isinstance(data, dict):
        raise AuthenticationError(f"the identity provider's {what} is not a JSON object")
    return data


def discover(issuer: str, *, client: httpx.Client | None = None) -> ProviderMetadata:
    """The provider's metadata from ``ISSUER/.well-known/openid-configuration``; its
    ``issuer`` must be exactly the configured one."""
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    try:
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = _json(http.get(url), "discovery document")
        if document.get("issuer") != issuer:
            raise ConfigurationError(
                f"the provider at {issuer!r} names itself {document.get('issuer')!r}"
            )
        jwks = _json(http.get(str(document["jwks_uri"])), "key set")
        return ProviderMetadata(
            issuer=issuer,
            authorization_endpoint=str(document["authorization_endpoint"]),
            token_endpoint=str(document["token_endpoint"]),
            jwks=jwks,
        )
    except (httpx.HTTPError, KeyError) as exc:
        raise AuthenticationError(f"the identity provider cannot be reached: {exc}") from None
    finally:
        if client is None:
            http.close()


def exchange_code(
    metadata: ProviderMetadata,
    *,
    code: str,
    code_verifier: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str | None,
    client: httpx.Client | None = None,
) -> str:
    """The ID token the provider gives for ``code``."""
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": code_verifier,
    }
    try:
        if client_secret:
            answer = http.post(
                metadata.token_endpoint, data=form, auth=httpx.BasicAuth(client_id, client_secret)
            )
        else:
            answer = http.post(metadata.token_endpoint, data=form)
        data = _json(answer, "token endpoint")
    except httpx.HTTPError as exc:
        raise AuthenticationError(f"the identity provider cannot be reached: {exc}") from None
    finally:
        if client is None:
            http.close()
    token = data.get("id_token")
    if not isinstance(token, str):
        raise AuthenticationError("the identity provider returned no ID token")
    return token
