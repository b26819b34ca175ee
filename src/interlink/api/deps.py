"""What every route gets from the request: the server's context and, for routes that are not
public, the authenticated ``Principal`` (bearer token or session cookie with its CSRF token).
Authentication lives here; what a principal may do is decided by the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from interlink.adapters import oidc
from interlink.adapters.sql.store import SqlStore
from interlink.api.timing import mark
from interlink.auth import bearer, token_cache
from interlink.auth.ratelimit import Buckets, LocalBuckets, RateLimiter
from interlink.auth.shared_buckets import SharedBuckets
from interlink.domain.errors import AccessDeniedError, AuthenticationError
from interlink.domain.principal import Principal
from interlink.services import authentication, token_auth
from interlink.services.lookups import LookupIndex
from interlink.services.token_last_use import LastUseWriter
from interlink.settings import Settings

SESSION_COOKIE = "__Host-interlink-session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """Limits and cookie policy of one server."""

    cookie_secure: bool = True
    max_upload_bytes: int = 256 * 1024 * 1024
    requests_per_second: float = 200.0
    request_burst: int = 400
    logins_per_minute: float = 10.0
    login_burst: int = 10
    #: Keep the rate limits' buckets in files under the home that every server process of the
    #: node maps (``interlink serve`` does), rather than in this process's memory.
    shared_limits: bool = False
    #: How often the lookup indexes check whether the lists changed (seconds).
    lookup_recheck: float = 1.0
    #: How often the server checks whether an audit checkpoint is due (seconds).
    checkpoint_check_seconds: float = 60.0
    #: How long a bearer token read from the database is trusted (seconds; 0: never cached).
    #: A revocation in this process takes effect at once, in another within this time.
    token_cache_seconds: float = token_cache.TTL


@dataclass
class ServerContext:
    """The store, settings and per-process state every request shares."""

    settings: Settings
    store: SqlStore
    options: ServerOptions
    lookups: LookupIndex = field(init=False)
    tokens: token_cache.TokenCache = field(init=False)
    last_uses: LastUseWriter = field(init=False)
    discover: Callable[[str], oidc.ProviderMetadata] = oidc.discover
    exchange: Callable[..., str] = oidc.exchange_code
    requests: RateLimiter = field(init=False)
    logins: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.lookups = LookupIndex(self.options.lookup_recheck, home=self.settings.home)
        self.tokens = token_cache.TokenCache(self.options.token_cache_seconds)
        self.last_uses = LastUseWriter(self.store)
        self.requests = RateLimiter(
            self.options.requests_per_second,
            self.options.request_burst,
            what="requests",
            buckets=self.buckets("requests"),
        )
        self.logins = RateLimiter(
            self.options.logins_per_minute / 60.0,
            self.options.login_burst,
            what="login attempts",
            buckets=self.buckets("logins"),
        )

    def buckets(self, name: str) -> Buckets:
        """Where the rate limit ``name`` keeps its buckets (``ServerOptions.shared_limits``)."""
        if not self.options.shared_limits:
            return LocalBuckets()
        return SharedBuckets(self.settings.home / "run" / f"{name}.buckets")


def server(request: Request) -> ServerContext:
    """The server context of this application."""
    found = request.app.state.interlink
    if not isinstance(found, ServerContext):
        raise RuntimeError("the application has no server context")
    return found


async def context_of(request: Request) -> ServerContext:
    """``server`` as a dependency. A coroutine, so FastAPI calls it on the event loop: a plain
    function would be handed to the thread pool and back, on every request, for nothing."""
    return server(request)


def client_of(request: Request) -> str:
    """The client's address, for throttling and the audit log."""
    return request.client.host if request.client else ""


_bearer = HTTPBearer(auto_error=False, description="A personal API token.")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="A browser session.")


async def caller(
    request: Request,
    context: Annotated[ServerContext, Depends(context_of)],
    token: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """The authenticated principal: a bearer token, else a session cookie (whose CSRF token
    must come back in ``X-CSRF-Token`` on any unsafe method); ``AuthenticationError``
    without either. A coroutine: a cached token is checked, and its use's audit record waited
    for, on the event loop, without a trip through the thread pool (which heavy requests may
    hold); what reads the database runs in a thread."""
    mark("auth")
    client = client_of(request)
    header = request.headers.get("authorization")
    if header is not None:
        if token is None or not token.credentials.strip():
            raise AuthenticationError("not authenticated")
        context.requests.hit("t:" + bearer.digest(token.credentials)[:16])
        principal = await token_auth.token_principal_async(
            context.store,
            token.credentials,
            client=client,
            cache=context.tokens,
            last_uses=context.last_uses,
        )
        mark("authed")
        return principal
    if session:
        principal, csrf = await run_in_threadpool(
            authentication.session_principal, context.store, session
        )
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not sent or not bearer.same(sent, csrf):
                raise AccessDeniedError("the CSRF token is missing or wrong")
        context.requests.hit("s:" + str(principal.user_id))
        return principal
    context.requests.hit("a:" + client)
    raise AuthenticationError("not authenticated")


Caller = Annotated[Principal, Depends(caller)]
Context = Annotated[ServerContext, Depends(context_of)]
