"""Logging in through an agency's own OpenID Connect provider (authorisation code + PKCE).

An agency's provider is configured by issuer URL. A login starts here (state, nonce and PKCE
verifier kept in the store, so any server process can finish it) and finishes at the
callback: the code is exchanged, the ID token checked (signature, issuer, audience, expiry,
nonce), and the user found among the agency's users by the subject it was linked to, or on
first login by its ``preferred_username`` (then linked). A user whose roles can reveal media
needs the provider to report a second factor (``amr``). Every login and refusal is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from interlink.adapters import oidc as http
from interlink.adapters.sql.store import SqlStore
from interlink.auth import oidc
from interlink.domain.accounts import IdentityProvider, User
from interlink.domain.errors import AccessDeniedError, AuthenticationError, InvalidFieldError
from interlink.domain.principal import AuthMethod, Capability, Principal, needs_second_factor
from interlink.services.authentication import Session, start_session
from interlink.services.casefile import audit_read

PENDING_TTL = timedelta(minutes=10)
Discover = Callable[[str], http.ProviderMetadata]


def configure(
    store: SqlStore,
    principal: Principal,
    agency: str,
    *,
    issuer: str,
    client_id: str,
    client_secret: str | None,
) -> IdentityProvider:
    """Set the identity provider of ``agency`` (node admin, or the agency's own admin;
    audited without the secret)."""
    record = store.cases.agency(agency)
    if not principal.can(Capability.USERS_NODE):
        principal.require(Capability.USERS_AGENCY)
        if record.id != principal.agency_id:
            raise AccessDeniedError(f"{principal.actor} configures its own agency only")
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise InvalidFieldError("issuer", issuer, "must be an https:// URL")
    provider = IdentityProvider(record.id, issuer, client_id.strip(), client_secret or None)
    with store.transaction() as tx:
        store.accounts.set_provider(tx, provider)
    audit_read(
        store,
        principal,
        "oidc.configure",
        "agency",
        str(record.id),
        {"issuer": issuer, "client_id": provider.client_id},
    )
    return provider


def start(
    store: SqlStore, agency: str, redirect_uri: str, *, discover: Discover = http.discover
) -> str:
    """The provider URL to send the browser to, for a login to ``agency``."""
    record = store.cases.agency(agency)
    provider = store.accounts.provider(record.id)
    if provider is None:
        raise AuthenticationError(f"agency {agency!r} has no identity provider")
    metadata = discover(provider.issuer)
    request = oidc.LoginRequest.new()
    with store.transaction() as tx:
        store.accounts.add_pending_login(
            tx,
            state=request.state,
            agency_id=record.id,
            nonce=request.nonce,
            code_verifier=request.code_verifier,
            redirect_uri=redirect_uri,
        )
    return oidc.authorization_url(
        metadata.authorization_endpoint,
        client_id=provider.client_id,
        redirect_uri=redirect_uri,
        request=request,
    )


def _refuse(store: SqlStore, who: str, reason: str, client: str) -> AuthenticationError:
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=who,
            action="login.failed",
            object_type="user",
            object_id="",
            after={"method": "oidc", "reason": reason, "client": client},
        )
    return AuthenticationError("not authenticated")


def _user_for(
    store: SqlStore, agency_id: object, subject: str, claims: dict[str, Any]
) -> tuple[User, bool]:
    """The user the subject is, and whether it is to be linked to the subject now."""
    linked = store.accounts.user_by_subject(subject)
    if linked is not None:
        if linked.agency_id != agency_id:
            raise AuthenticationError("subject linked to another agency's user")
        return linked, False
    name = claims.get("preferred_username")
    found = store.accounts.credentials(str(name)) if isinstance(name, str) else None
    if found is None or found.user.agency_id != agency_id:
        raise AuthenticationError("no user of the agency for this subject")
    if found.user.oidc_subject is not None:
        raise AuthenticationError("the user is linked to another subject")
    return found.user, True


def finish(
    store: SqlStore,
    state: str,
    code: str,
    *,
    client: str = "",
    ends: str | None = None,
    discover: Discover = http.discover,
    exchange: Callable[..., str] = http.exchange_code,
    now: datetime | None = None,
) -> Session:
    """The session of the user the provider vouches for, at the callback of the login
    ``state``; ``AuthenticationError`` (audited) for anything amiss."""
    now = now or datetime.now(UTC)
    with store.transaction() as tx:
        pending = store.accounts.take_pending_login(tx, state)
    if pending is None:
        raise _refuse(store, "oidc", "unknown or used state", client)
    agency_id, nonce, verifier, redirect_uri, created = pending
    if now - created > PENDING_TTL:
        raise _refuse(store, "oidc", "login took too long", client)
    provider = store.accounts.provider(agency_id)
    if provider is None:
        raise _refuse(store, "oidc", "provider removed", client)
    try:
        metadata = discover(provider.issuer)
        token = exchange(
            metadata,
            code=code,
            code_verifier=verifier,
            redirect_uri=redirect_uri,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
        )
        claims = oidc.verify_id_token(
            token,
            metadata.jwks,
            issuer=provider.issuer,
            client_id=provider.client_id,
            nonce=nonce,
            now=now.timestamp(),
        )
        subject = f"{provider.issuer} {claims['sub']}"
        user, link = _user_for(store, agency_id, subject, claims)
    except AuthenticationError as exc:
        raise _refuse(store, "oidc", str(exc), client) from None
    if user.disabled:
        raise _refuse(store, user.name, "disabled", client)
    strong = oidc.second_factor(claims)
    if needs_second_factor(user.roles) and not strong:
        raise _refuse(store, user.name, "second factor required", client)
    if link:
        with store.transaction() as tx:
            store.accounts.set_user(tx, user.id, oidc_subject=subject)
    return start_session(
        store,
        user,
        AuthMethod.OIDC,
        second_factor_at=now if strong else None,
        ends=ends,
        client=client,
        now=now,
    )


def login_choices(store: SqlStore) -> list[str]:
    """The agencies whose users may log in through their identity provider (the login page
    offers one button each)."""
    from interlink.adapters.sql.agency_settings import provider_agencies

    return provider_agencies(store.engine)
