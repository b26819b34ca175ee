"""Who is asking: password logins (with TOTP and lockout), browser sessions and personal API
tokens, each turned into a ``Principal``.

Every login, failed login and token use is audited. Failures say only "not authenticated",
never whether the name, the password, the code or the lock was wrong. Sessions are rotated at
every login (the session the browser came with ends), and carry their own CSRF token.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from interlink.adapters.sql.store import SqlStore
from interlink.auth import bearer, passwords, totp
from interlink.auth.lockout import LoginState
from interlink.domain.accounts import ApiToken, User
from interlink.domain.errors import (
    AccessDeniedError,
    AuthenticationError,
    InvalidFieldError,
    NotFoundError,
)
from interlink.domain.principal import (
    AuthMethod,
    Capability,
    Principal,
    capabilities_of,
    needs_second_factor,
)
from interlink.services.accounts import managed_user

SESSION_TTL = timedelta(hours=12)
#: Longest and default life of a personal API token.
TOKEN_MAX_DAYS = 366
TOKEN_DEFAULT_DAYS = 90
_REFUSED = "not authenticated"


@dataclass(frozen=True, slots=True)
class Session:
    """A new browser session: its secret id (for the cookie, shown once), its CSRF token,
    who it authenticates and until when."""

    secret: str
    csrf_token: str
    principal: Principal
    expires_at: datetime


def principal_of(
    user: User,
    method: AuthMethod,
    *,
    scopes: frozenset[Capability] | None = None,
    second_factor_at: datetime | None = None,
    token_id: uuid.UUID | None = None,
) -> Principal:
    """The principal a user is when authenticated by ``method``."""
    return Principal(
        user_id=user.id,
        name=user.name,
        agency_id=user.agency_id,
        agency=user.agency,
        roles=user.roles,
        method=method,
        scopes=scopes,
        second_factor_at=second_factor_at,
        token_id=token_id,
    )


def _audit_login(
    store: SqlStore, actor: str, action: str, object_id: str, after: dict[str, object]
) -> None:
    with store.transaction() as tx:
        store.audit.append(
            tx, actor=actor, action=action, object_type="user", object_id=object_id, after=after
        )


def _refuse(store: SqlStore, name: str, object_id: str, reason: str, client: str) -> None:
    _audit_login(store, name, "login.failed", object_id, {"reason": reason, "client": client})
    raise AuthenticationError(_REFUSED)


def login(
    store: SqlStore,
    name: str,
    password: str,
    code: str | None,
    *,
    client: str = "",
    ends: str | None = None,
    now: datetime | None = None,
) -> Session:
    """A new session for ``name`` if the password (and, for roles that can reveal media or
    users enrolled in TOTP, the code) is right and the account is neither disabled nor
    locked; ``ends`` is the secret of the session the client came with, which is ended.
    ``AuthenticationError`` otherwise, after counting the failure towards the lockout."""
    now = now or datetime.now(UTC)
    found = store.accounts.credentials(name.strip())
    if found is None:
        passwords.verify_password(None, password)
        _refuse(store, name[:200], "", "unknown user", client)
        raise AssertionError("unreachable")
    user = found.user
    state = LoginState(user.failed_logins, user.locked_until)
    if user.disabled:
        _refuse(store, user.name, str(user.id), "disabled", client)
    if state.locked(now):
        _refuse(store, user.name, str(user.id), "locked", client)
    password_ok = passwords.verify_password(found.password_hash, password)
    wants_code = found.totp_secret is not None or needs_second_factor(user.roles)
    code_ok = not wants_code or (
        found.totp_secret is not None and totp.verify(found.totp_secret, code or "", now)
    )
    if not (password_ok and code_ok):
        failed = state.after_failure(now)
        with store.transaction() as tx:
            store.accounts.set_user(
                tx, user.id, failed_logins=failed.failures, locked_until=failed.locked_until
            )
        reason = "password" if not password_ok else "second factor"
        _refuse(store, user.name, str(user.id), reason, client)
    return start_session(
        store,
        user,
        AuthMethod.PASSWORD,
        second_factor_at=now if wants_code else None,
        ends=ends,
        client=client,
        now=now,
    )


def start_session(
    store: SqlStore,
    user: User,
    method: AuthMethod,
    *,
    second_factor_at: datetime | None,
    ends: str | None,
    client: str,
    now: datetime,
) -> Session:
    """Open a new session for an authenticated ``user`` (audited as a login), ending the
    session ``ends`` names and clearing the user's failed-login count."""
    secret = bearer.new_session_id()
    csrf = bearer.new_csrf_token()
    expires = now + SESSION_TTL
    with store.transaction() as tx:
        if ends:
            store.accounts.delete_session(tx, bearer.digest(ends))
        store.accounts.set_user(tx, user.id, failed_logins=0, locked_until=None)
        store.accounts.add_session(
            tx,
            id_hash=bearer.digest(secret),
            user_id=user.id,
            csrf_token=csrf,
            method=method.value,
            second_factor_at=second_factor_at,
            expires_at=expires,
        )
        store.audit.append(
            tx,
            actor=f"{user.agency}/{user.name}",
            action="login",
            object_type="user",
            object_id=str(user.id),
            after={
                "method": method.value,
                "second_factor": second_factor_at is not None,
                "client": client,
            },
        )
    principal = principal_of(user, method, second_factor_at=second_factor_at)
    return Session(secret, csrf, principal, expires)


def session_principal(
    store: SqlStore, secret: str, *, now: datetime | None = None
) -> tuple[Principal, str]:
    """The principal of the session whose secret is ``secret``, and its CSRF token;
    ``AuthenticationError`` if the session is unknown, expired or its user disabled."""
    now = now or datetime.now(UTC)
    stored = store.accounts.session(bearer.digest(secret))
    if stored is None or stored.expires_at <= now:
        raise AuthenticationError(_REFUSED)
    user = store.accounts.user_by_id(stored.user_id)
    if user is None or user.disabled:
        raise AuthenticationError(_REFUSED)
    principal = principal_of(
        user, AuthMethod(stored.method), second_factor_at=stored.second_factor_at
    )
    return principal, stored.csrf_token


def logout(store: SqlStore, secret: str, principal: Principal) -> None:
    """End the session ``secret`` (audited)."""
    with store.transaction() as tx:
        store.accounts.delete_session(tx, bearer.digest(secret))
        store.audit.append(
            tx,
            actor=principal.actor,
            action="logout",
            object_type="user",
            object_id=str(principal.user_id),
        )


# -- personal API tokens ------------------------------------------------------------------


def token_card(token: ApiToken) -> dict[str, object]:
    """What listings and the audit log show of a token (never its secret)."""
    return {
        "id": str(token.id),
        "user": token.user,
        "label": token.label,
        "scopes": None if token.scopes is None else sorted(s.value for s in token.scopes),
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
    }


def _token_owner(store: SqlStore, principal: Principal, name: str | None) -> User:
    """The user a token is made for or listed of: the principal itself, or (for an admin of
    the node or of the user's agency) the user called ``name``."""
    if name is None or name == principal.name:
        user = store.accounts.user_by_id(principal.user_id)
        if user is not None:
            return user
        if name is None:
            raise NotFoundError("user", principal.name)
    return managed_user(store, principal, name)


def create_token(
    store: SqlStore,
    principal: Principal,
    *,
    user: str | None = None,
    label: str = "",
    scopes: frozenset[Capability] | None = None,
    days: int = TOKEN_DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """A new token for ``user`` (default: the principal) and its secret, shown once; its
    scopes must lie within what the user's roles grant (audited, the secret never)."""
    owner = _token_owner(store, principal, user)
    if not 1 <= days <= TOKEN_MAX_DAYS:
        raise InvalidFieldError("days", str(days), f"must be 1 to {TOKEN_MAX_DAYS}")
    if scopes is not None:
        beyond = scopes - capabilities_of(owner.roles)
        if beyond:
            names = ", ".join(sorted(s.value for s in beyond))
            raise InvalidFieldError("scope", names, "beyond what the user's roles grant")
    if principal.scopes is not None:
        # A token cannot mint a token wider than itself.
        scopes = principal.scopes if scopes is None else scopes & principal.scopes
    secret = bearer.new_token()
    now = datetime.now(UTC)
    expires = now + timedelta(days=days)
    with store.transaction() as tx:
        token_id = store.accounts.add_token(
            tx,
            user_id=owner.id,
            label=(label.strip() or "token")[:200],
            token_hash=bearer.digest(secret),
            scopes=scopes,
            expires_at=expires,
        )
        token = ApiToken(token_id, owner.id, owner.name, label, scopes, now, expires)
        store.audit.append(
            tx,
            actor=principal.actor,
            action="token.create",
            object_type="token",
            object_id=str(token_id),
            after=token_card(token),
        )
    stored = store.accounts.token(token_id)
    return (stored or token), secret


def list_tokens(store: SqlStore, principal: Principal, user: str | None = None) -> list[ApiToken]:
    """Tokens of ``user`` (default: the principal's own; for the node's local operator,
    every token of the node)."""
    if user is None and principal.method is AuthMethod.LOCAL:
        principal.require(Capability.USERS_NODE)
        return store.accounts.tokens(user_id=None, scope=None)
    owner = _token_owner(store, principal, user)
    return store.accounts.tokens(user_id=owner.id, scope=None)


def token_page(
    store: SqlStore, principal: Principal, *, after: uuid.UUID | None, limit: int
) -> tuple[list[ApiToken], uuid.UUID | None]:
    """Up to ``limit`` of the tokens :func:`list_tokens` gives (``user`` the principal's own)
    by id after ``after``, and the id to go on after (``None``: the last); the store's query
    cuts the page and keeps to the owner."""
    if principal.method is AuthMethod.LOCAL:
        principal.require(Capability.USERS_NODE)
        owner_id = None
    else:
        owner_id = _token_owner(store, principal, None).id
    found = store.accounts.tokens(user_id=owner_id, scope=None, after=after, limit=limit + 1)
    return found[:limit], (found[limit - 1].id if len(found) > limit else None)


def revoke_token(store: SqlStore, principal: Principal, token_id: uuid.UUID) -> ApiToken:
    """Revoke a token of the principal's own, or of a user it manages (audited);
    ``NotFoundError`` for any other token."""
    token = store.accounts.token(token_id)
    if token is None:
        raise NotFoundError("token", str(token_id))
    if token.user_id != principal.user_id:
        try:
            _token_owner(store, principal, token.user)
        except AccessDeniedError:
            raise NotFoundError("token", str(token_id)) from None
    now = datetime.now(UTC)
    with store.transaction() as tx:
        store.accounts.revoke_token(tx, token.id, now)
        store.audit.append(
            tx,
            actor=principal.actor,
            action="token.revoke",
            object_type="token",
            object_id=str(token.id),
            before={"revoked_at": None},
            after={"revoked_at": now.isoformat()},
        )
    return store.accounts.token(token_id) or token
