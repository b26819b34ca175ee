"""A short-lived cache of personal API tokens, keyed by the SHA-256 of the secret (never the
secret itself), so a server does not read the token and its user from the database on every
request of a busy script.

An entry lives ``ttl`` seconds (2 by default). A revocation, a disabled or reset user, or any
change of roles made in this process empties every cache of the process at once
(``invalidate``); another server process sees the change within ``ttl`` seconds. Every use of a
token is still audited: the cache saves reads, never a record.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass

from interlink.domain.accounts import ApiToken, User

#: Seconds a token read from the database is trusted without reading it again.
TTL = 2.0

_CACHES: weakref.WeakSet[TokenCache] = weakref.WeakSet()
_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class CachedToken:
    """A token, its user, and when (``time.monotonic``) they were read."""

    token: ApiToken
    user: User
    read_at: float


class TokenCache:
    """Tokens by the hex SHA-256 of their secret; see the module docstring."""

    def __init__(self, ttl: float = TTL) -> None:
        self._ttl = ttl
        self._entries: dict[str, CachedToken] = {}
        self._touched: dict[str, float] = {}
        self._lock = threading.Lock()
        with _LOCK:
            _CACHES.add(self)

    def get(self, digest: str) -> CachedToken | None:
        """The entry for ``digest`` if it is younger than the cache's ``ttl``."""
        with self._lock:
            found = self._entries.get(digest)
        if found is None or time.monotonic() - found.read_at >= self._ttl:
            return None
        return found

    def put(self, digest: str, token: ApiToken, user: User) -> None:
        """Remember a token and its user, read now."""
        if self._ttl <= 0:
            return
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[digest] = CachedToken(token, user, time.monotonic())

    def touch_due(self, digest: str, every: float) -> bool:
        """Whether the token's last use should be written now (at most every ``every``
        seconds per token and process); marks it written if so."""
        now = time.monotonic()
        with self._lock:
            last = self._touched.get(digest)
            if last is not None and now - last < every:
                return False
            if len(self._touched) > 10_000:
                self._touched.clear()
            self._touched[digest] = now
            return True

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


def invalidate() -> None:
    """Empty every token cache of this process (a token was revoked, a user changed)."""
    with _LOCK:
        caches = list(_CACHES)
    for cache in caches:
        cache.clear()
