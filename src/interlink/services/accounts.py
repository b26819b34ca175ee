"""Users of a node: add, list, disable and reset them; who may manage whom.

A node admin manages every user; an agency admin the users of its own agency, never giving
the node-admin role. Users whose roles can reveal media get a TOTP secret at creation (shown
once). Every change is audited, secrets never.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from interlink.adapters.sql.store import SqlStore
from interlink.auth import passwords, totp
from interlink.domain.accounts import User, user_name
from interlink.domain.cases import LOCAL_COUNTRY, Agency
from interlink.domain.errors import AccessDeniedError, NotFoundError
from interlink.domain.principal import Capability, Principal, Role, needs_second_factor
from interlink.services.audited import change
from interlink.services.cases import acting_agency

_OWN_AGENCY_ONLY = "{} manages the users of its own agency only"


@dataclass(frozen=True, slots=True)
class NewCredentials:
    """A user as stored, and the second-factor secret made for it (shown once), if any."""

    user: User
    totp_secret: str | None = None

    @property
    def totp_uri(self) -> str | None:
        """The ``otpauth://`` URI of the new secret, for an authenticator app."""
        if self.totp_secret is None:
            return None
        return totp.provisioning_uri(self.totp_secret, self.user.name)


def user_card(user: User) -> dict[str, object]:
    """What the audit log and listings show of a user (never a secret)."""
    return {
        "name": user.name,
        "agency": user.agency,
        "roles": sorted(r.value for r in user.roles),
        "disabled": user.disabled,
        "second_factor": user.has_totp,
        "oidc": user.oidc_subject is not None,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }


def _require_manager(principal: Principal, agency_id: object, roles: Iterable[Role]) -> None:
    """``AccessDeniedError`` unless ``principal`` may manage a user of ``agency_id`` with
    ``roles``: a node admin anyone, an agency admin its own agency's non-node-admins."""
    if principal.can(Capability.USERS_NODE):
        return
    principal.require(Capability.USERS_AGENCY)
    if agency_id != principal.agency_id:
        raise AccessDeniedError(_OWN_AGENCY_ONLY.format(principal.actor))
    if Role.NODE_ADMIN in set(roles):
        raise AccessDeniedError("only a node admin gives the node-admin role")


def _agency(store: SqlStore, principal: Principal, code: str) -> Agency:
    if principal.can(Capability.USERS_NODE):
        return acting_agency(store, code.strip(), LOCAL_COUNTRY, actor=principal.actor)
    try:
        return store.cases.agency(code.strip())
    except NotFoundError:
        raise AccessDeniedError(
            f"{principal.actor} manages the users of its own agency only"
        ) from None


def add_user(
    store: SqlStore,
    principal: Principal,
    name: str,
    *,
    agency: str,
    roles: frozenset[Role],
    password: str | None,
) -> NewCredentials:
    """Create the user ``name`` of ``agency`` with ``roles`` (audited). A node admin's new
    agency is created on first use. ``password`` may be ``None`` for OIDC-only users."""
    name = user_name(name)
    owner = _agency(store, principal, agency)
    _require_manager(principal, owner.id, roles)
    hashed = None if password is None else passwords.hash_password(password)
    secret = totp.new_secret() if needs_second_factor(roles) else None
    with store.transaction() as tx:
        user_id = store.accounts.add_user(
            tx,
            name=name,
            agency_id=owner.id,
            roles=roles,
            password_hash=hashed,
            totp_secret=secret,
        )
        found = store.accounts.credentials(name, tx)
        if found is None:
            raise NotFoundError("user", name)
        store.audit.append(
            tx,
            actor=principal.actor,
            action="user.create",
            object_type="user",
            object_id=str(user_id),
            after=user_card(found.user),
        )
    return NewCredentials(found.user, secret)


def list_users(store: SqlStore, principal: Principal) -> list[User]:
    """The users ``principal`` manages: the node's for a node admin, else its agency's."""
    return user_page(store, principal, after=None, limit=None)[0]


def user_page(
    store: SqlStore, principal: Principal, *, after: str | None, limit: int | None
) -> tuple[list[User], str | None]:
    """Up to ``limit`` (``None``: every) of the users ``principal`` manages (the node's for a
    node admin, else its agency's) by name after ``after``, and the name to go on after
    (``None``: the last); the store's query cuts the page and keeps to the scope."""
    if principal.can(Capability.USERS_NODE):
        scope = None
    else:
        principal.require(Capability.USERS_AGENCY)
        scope = principal.scope
    found = store.accounts.users(scope, after=after, limit=None if limit is None else limit + 1)
    more = limit is not None and len(found) > limit
    return found[:limit], (found[limit - 1].name if more and limit else None)


def managed_user(store: SqlStore, principal: Principal, name: str) -> User:
    """The user ``name`` if ``principal`` manages it; ``NotFoundError`` otherwise, so that
    another agency's user names cannot be probed."""
    if not (principal.can(Capability.USERS_NODE) or principal.can(Capability.USERS_AGENCY)):
        principal.require(Capability.USERS_AGENCY)
    user = store.accounts.user(name)
    try:
        _require_manager(principal, user.agency_id, user.roles)
    except AccessDeniedError:
        raise NotFoundError("user", name) from None
    return user


def disable_user(store: SqlStore, principal: Principal, name: str) -> User:
    """Disable the user ``name`` and end its sessions (audited); its tokens stop working."""
    user = managed_user(store, principal, name)

    def write(tx: Connection) -> None:
        store.accounts.set_user(tx, user.id, disabled=True)
        store.accounts.delete_sessions_of(tx, user.id)

    change(
        store,
        write,
        actor=principal.actor,
        action="user.disable",
        object_type="user",
        object_id=str(user.id),
        before={"disabled": user.disabled},
        after={"disabled": True},
    )
    return store.accounts.user(name)


def reset_user(
    store: SqlStore, principal: Principal, name: str, *, password: str | None
) -> NewCredentials:
    """Give the user ``name`` a new password (if given) and, when its roles need one, a new
    TOTP secret; clear its lockout and end its sessions (audited, secrets never)."""
    user = managed_user(store, principal, name)
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if password is not None:
        values["password_hash"] = passwords.hash_password(password)
    secret = totp.new_secret() if needs_second_factor(user.roles) else None
    if secret is not None:
        values["totp_secret"] = secret

    def write(tx: Connection) -> None:
        store.accounts.set_user(tx, user.id, **values)
        store.accounts.delete_sessions_of(tx, user.id)

    change(
        store,
        write,
        actor=principal.actor,
        action="user.reset",
        object_type="user",
        object_id=str(user.id),
        after={
            "password": password is not None,
            "second_factor": secret is not None,
            "at": datetime.now(UTC).isoformat(),
        },
    )
    return NewCredentials(store.accounts.user(name), secret)
