"""Who a personal API token is: the principal a bearer token authenticates, every use
audited, the token and its user kept by the server's ``TokenCache`` (read again in the
background while in use, see ``auth/token_cache.py``), its last use written at most once a
minute per process."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.auth import bearer
from interlink.auth.token_cache import TokenCache
from interlink.background import BackgroundThread
from interlink.domain.accounts import ApiToken, User
from interlink.domain.errors import AuthenticationError
from interlink.domain.principal import AuthMethod, Principal
from interlink.services.authentication import principal_of
from interlink.services.token_last_use import LastUseWriter

_log = logging.getLogger(__name__)

#: A server writes a token's last use at most this often (seconds); every use is audited.
TOKEN_TOUCH_SECONDS = 60.0
_REFUSED = "not authenticated"
#: The thread that re-reads cached tokens, started once per process: a request handing a
#: re-read over only queues it (starting a thread would wait, on the event loop, for the new
#: thread to get the interpreter lock and a core).
_REREADER = BackgroundThread("token-refresh")


def _stored_token(store: SqlStore, digest: str, now: datetime) -> tuple[ApiToken, User]:
    """The usable token with this digest and its enabled user, from the database;
    ``AuthenticationError`` otherwise."""
    stored = store.accounts.token_by_hash(digest)
    if stored is None or not stored.usable(now):
        raise AuthenticationError(_REFUSED)
    found = store.accounts.user_by_id(stored.user_id)
    if found is None or found.disabled:
        raise AuthenticationError(_REFUSED)
    return stored, found


def _cached_token(
    store: SqlStore, digest: str, now: datetime, cache: TokenCache | None
) -> tuple[ApiToken, User]:
    cached = cache.get(digest) if cache is not None else None
    if cached is not None:
        return cached.token, cached.user
    token, user = _stored_token(store, digest, now)
    if cache is not None:
        cache.put(digest, token, user)
    return token, user


def _keep_fresh(store: SqlStore, cache: TokenCache) -> None:
    """Start re-reading the cache's tokens in a background thread if they are due
    (``TokenCache.refresh_due``)."""
    due = cache.refresh_due()
    if due is not None:
        _REREADER.submit(_reread, store, cache, *due)


def _reread(store: SqlStore, cache: TokenCache, ticket: int, digests: list[str]) -> None:
    started = time.monotonic()
    try:
        found = store.accounts.tokens_with_users(digests)
    except Exception:  # a background thread: the entries simply age out
        _log.exception("re-reading the cached tokens failed")
        cache.refreshed(ticket, [], {}, started)
        return
    now = datetime.now(UTC)
    usable = {
        digest: (token, user)
        for digest, (token, user) in found.items()
        if token.usable(now) and not user.disabled
    }
    cache.refreshed(ticket, digests, usable, started)


def _touch(store: SqlStore, token: ApiToken, now: datetime) -> None:
    with store.transaction() as tx:
        store.accounts.touch_token(tx, token.id, now)


def _use(token: ApiToken, user: User, client: str) -> dict[str, Any]:
    """The audit record of a token's use (``AuditLog.record``'s arguments)."""
    return {
        "actor": f"{user.agency}/{user.name}",
        "action": "token.use",
        "object_type": "token",
        "object_id": str(token.id),
        "after": {"client": client},
    }


def token_principal(
    store: SqlStore,
    secret: str,
    *,
    client: str = "",
    now: datetime | None = None,
    cache: TokenCache | None = None,
) -> Principal:
    """The principal a bearer token authenticates (its use audited, its last use recorded at
    most once a minute per process); ``AuthenticationError`` if unknown, revoked, expired or
    its user disabled. ``cache`` (a server's) spares reading the token and its user on every
    request: entries are keyed by the secret's SHA-256 and live ``token_cache.TTL`` seconds."""
    now = now or datetime.now(UTC)
    digest = bearer.digest(secret.strip())
    token, user = _cached_token(store, digest, now, cache)
    if cache is not None:
        _keep_fresh(store, cache)
    if not token.usable(now):
        raise AuthenticationError(_REFUSED)
    if cache is None or cache.touch_due(digest, TOKEN_TOUCH_SECONDS):
        _touch(store, token, now)
    store.audit.record(**_use(token, user, client))
    return principal_of(user, AuthMethod.TOKEN, scopes=token.scopes, token_id=token.id)


async def token_principal_async(
    store: SqlStore,
    secret: str,
    *,
    cache: TokenCache,
    client: str = "",
    last_uses: LastUseWriter | None = None,
) -> Principal:
    """``token_principal`` for a coroutine, holding no thread when it can: a token in the cache
    is checked on the event loop and its use's audit record waited for there (committed
    before the principal is returned, as ever); a token read from the database goes through a
    worker thread. A last use due is handed to ``last_uses`` (the server's writer, which the
    request does not wait for), or without one written in a worker thread."""
    now = datetime.now(UTC)
    digest = bearer.digest(secret.strip())
    cached = cache.get(digest)
    if cached is not None:
        token, user = cached.token, cached.user
        _keep_fresh(store, cache)
    else:
        token, user = await asyncio.to_thread(_cached_token, store, digest, now, cache)
    if not token.usable(now):
        raise AuthenticationError(_REFUSED)
    if cache.touch_due(digest, TOKEN_TOUCH_SECONDS):
        if last_uses is not None:
            last_uses.note(token.id, now)
        else:
            await asyncio.to_thread(_touch, store, token, now)
    await store.audit.record_async(**_use(token, user, client))
    return principal_of(user, AuthMethod.TOKEN, scopes=token.scopes, token_id=token.id)
