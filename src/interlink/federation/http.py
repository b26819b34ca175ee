"""The HTTP transport between nodes: one signed request to a peer's ``/federation/v1/...``
route over ``httpx``, its answer's status mapped back to Interlink's errors.

Authentication is in the request (signed with this node's Ed25519 key, see
``federation/signing.py``) and in the answers (signed documents and frames), so the transport
adds no trust of its own: a relay can neither forge nor replay. A peer that cannot be reached,
times out or answers 5xx raises ``PeerUnavailableError`` (an ``OSError``), which the outbox
retries with backoff; a refusal (401, 403, 404, 409, 4xx) is not retried.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from interlink.domain.errors import (
    ConflictError,
    FormatError,
    InterlinkError,
    NotFoundError,
    PeerAuthenticationError,
    PolicyRefusalError,
    RateLimitedError,
)

#: Seconds to connect, and to wait for an answer (an overlap answer against a large list
#: takes a while to compute on the partner's side).
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 120.0


class PeerUnavailableError(OSError):
    """The peer did not answer (down, unreachable, too slow, or a server error): try later."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"peer at {url} unavailable: {reason}")
        self.url = url
        self.reason = reason


def _detail(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
    except (ValueError, json.JSONDecodeError):
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or "")
    return ""


def error_of(response: httpx.Response, url: str) -> InterlinkError | OSError:
    """The error an answer's status stands for."""
    status, detail = response.status_code, _detail(response)
    if status == 401:
        return PeerAuthenticationError(url, detail or "refused")
    if status == 403:
        return PolicyRefusalError(url, "do this", detail or "refused")
    if status == 404:
        return NotFoundError("federation route", detail or url)
    if status == 409:
        return ConflictError(detail or "conflict")
    if status == 429:
        retry = int(response.headers.get("Retry-After", "1") or 1)
        return RateLimitedError(f"requests to the peer at {url}", retry)
    if 400 <= status < 500:
        return FormatError(detail or f"peer answered {status}", "request")
    return PeerUnavailableError(url, f"answered {status}")


class HttpTransport:
    """Carries signed requests to the peer at ``base_url`` (``http(s)://host:port``)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = READ_TIMEOUT,
        verify: bool | str = True,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            verify=verify,
            follow_redirects=False,
            trust_env=False,
        )
        self.bytes_sent = 0
        self.bytes_received = 0

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        """Deliver one request; return the answer's body or raise the error it stands for."""
        url = self.base_url + path
        try:
            response = self._client.request(
                method,
                url,
                headers={**headers, "Content-Type": "application/octet-stream"},
                content=body,
            )
        except httpx.TimeoutException as exc:
            raise PeerUnavailableError(self.base_url, "timed out") from exc
        except httpx.HTTPError as exc:
            raise PeerUnavailableError(self.base_url, type(exc).__name__) from exc
        self.bytes_sent += len(body)
        self.bytes_received += len(response.content)
        if response.status_code != 200:
            raise error_of(response, self.base_url)
        return response.content

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
