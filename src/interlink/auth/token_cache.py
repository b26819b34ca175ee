"""A short-lived cache of personal API tokens, keyed by the SHA-256 of the secret (never the
secret itself), so a server does not read the token and its user from the database on every
request of a busy script.

An entry lives ``ttl`` seconds (2 by default). A revocation, a disabled or reset user, or any
change of roles made in this process empties every cache of the process at once
(``invalidate``); another server process sees the change within ``ttl`` seconds. Every use of a
token is still audited: the cache saves reads, never a record.

So that a script's next request does not find its token expired (with fifty scripts on two
server processes, a token is used about once per ``ttl`` in each: nearly every request would
read it again), the server re-reads the tokens in use in the background, all in one query,
once an entry is half its ``ttl`` old (``refresh_due`` / ``refreshed``); a token revoked or a
user disabled meanwhile is dropped then. An entry is never trusted longer than ``ttl`` after
the read it came from; tokens unused for ``IDLE`` seconds are not re-read but forgotten.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass

from interlink.domain.accounts import ApiToken, User

#: Seconds a token read from the database is trusted without reading it again.
TTL = 2.0
#: Seconds after its last use a token is no longer re-read in the background.
IDLE = 60.0

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
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()
        #: Counts ``clear`` calls: a background read begun before one is not put back.
        self._generation = 0
        self._refreshing = False
        self._next_look = 0.0
        with _LOCK:
            _CACHES.add(self)

    def get(self, digest: str) -> CachedToken | None:
        """The entry for ``digest`` if it is younger than the cache's ``ttl``."""
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(digest)
            if found is not None:
                self._used[digest] = now
        if found is None or now - found.read_at >= self._ttl:
            return None
        return found

    def put(self, digest: str, token: ApiToken, user: User) -> None:
        """Remember a token and its user, read now."""
        if self._ttl <= 0:
            return
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
                self._used.clear()
            now = time.monotonic()
            self._entries[digest] = CachedToken(token, user, now)
            self._used[digest] = now

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

    def refresh_due(self) -> tuple[int, list[str]] | None:
        """If no background read is under way and an entry is half its ``ttl`` old: the
        digests of the tokens used in the last ``IDLE`` seconds, to read again now (the others
        are forgotten), with a ticket for ``refreshed``; ``None`` otherwise. Looks at the
        entries at most every quarter ``ttl``."""
        now = time.monotonic()
        if self._ttl <= 0 or now < self._next_look:
            return None
        with self._lock:
            if self._refreshing or now < self._next_look:
                return None
            self._next_look = now + self._ttl / 4
            if not any(now - e.read_at >= self._ttl / 2 for e in self._entries.values()):
                return None
            for digest in [d for d in self._entries if now - self._used.get(d, 0.0) > IDLE]:
                del self._entries[digest]
                self._used.pop(digest, None)
            self._refreshing = True
            return self._generation, list(self._entries)

    def refreshed(
        self,
        ticket: int,
        asked: list[str],
        found: dict[str, tuple[ApiToken, User]],
        read_at: float,
    ) -> None:
        """End the background read ``refresh_due`` asked for: the tokens still usable
        (``found``, read at ``read_at``, a ``time.monotonic`` taken before the read) replace
        their entries, the other ``asked`` ones are dropped. Nothing is put back if the cache
        was emptied since the read began."""
        with self._lock:
            self._refreshing = False
            if ticket != self._generation:
                return
            for digest in asked:
                if digest in found:
                    token, user = found[digest]
                    self._entries[digest] = CachedToken(token, user, read_at)
                else:
                    self._entries.pop(digest, None)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._generation += 1


def invalidate() -> None:
    """Empty every token cache of this process (a token was revoked, a user changed)."""
    with _LOCK:
        caches = list(_CACHES)
    for cache in caches:
        cache.clear()
