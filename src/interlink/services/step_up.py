"""A fresh second factor without logging in again: a browser session's user gives its TOTP
code, and the session's second factor counts from now (a reveal needs one given within
``exposure.FRESH_SECOND_FACTOR``). A wrong code counts towards the account's lockout, like a
failed login; both outcomes are audited. A token has no session: it cannot step up."""

from __future__ import annotations

from datetime import UTC, datetime

from interlink.adapters.sql.store import SqlStore
from interlink.auth import bearer, totp
from interlink.auth.lockout import LoginState
from interlink.domain.errors import AuthenticationError, ConflictError
from interlink.domain.principal import AuthMethod, Principal


def _audit(store: SqlStore, principal: Principal, action: str, after: dict[str, object]) -> None:
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=principal.actor,
            action=action,
            object_type="user",
            object_id=str(principal.user_id),
            after=after,
        )


def step_up(
    store: SqlStore,
    principal: Principal,
    session: str | None,
    code: str,
    *,
    client: str = "",
    now: datetime | None = None,
) -> datetime:
    """Record a second factor given now in the session ``session`` if ``code`` is the
    principal's current TOTP code; when it was given. ``ConflictError`` for a caller without
    a password session (a token, an OIDC login whose provider gives the factor) or without
    TOTP; ``AuthenticationError`` (counted towards the lockout) for a wrong code."""
    now = now or datetime.now(UTC)
    if principal.method is not AuthMethod.PASSWORD or not session:
        raise ConflictError("a second factor is given again only in a password browser session")
    found = store.accounts.credentials(principal.name)
    if found is None or found.totp_secret is None:
        raise ConflictError(f"{principal.actor} has no authenticator to give a code from")
    state = LoginState(found.user.failed_logins, found.user.locked_until)
    if state.locked(now) or not totp.verify(found.totp_secret, code.strip(), now):
        if not state.locked(now):
            failed = state.after_failure(now)
            with store.transaction() as tx:
                store.accounts.set_user(
                    tx,
                    found.user.id,
                    failed_logins=failed.failures,
                    locked_until=failed.locked_until,
                )
        _audit(store, principal, "step_up.failed", {"client": client})
        raise AuthenticationError("the authenticator code is wrong")
    with store.transaction() as tx:
        store.accounts.set_session_second_factor(tx, bearer.digest(session), now)
        store.accounts.set_user(tx, found.user.id, failed_logins=0, locked_until=None)
        store.audit.append(
            tx,
            actor=principal.actor,
            action="step_up",
            object_type="user",
            object_id=str(principal.user_id),
            after={"client": client},
        )
    return now
