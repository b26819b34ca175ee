"""Users, sessions, API tokens and identity providers in the store.

Listings take an ``AgencyScope`` (or ``None`` for the whole node, which only node-wide
services pass), so that no query returns another agency's users by accident.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, or_, select, update

from interlink.adapters.secret_box import SecretBox, is_sealed
from interlink.adapters.sql.auth_schema import (
    api_tokens,
    identity_providers,
    oidc_logins,
    user_sessions,
    users,
)
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import agencies
from interlink.auth import token_cache
from interlink.domain.accounts import ApiToken, IdentityProvider, User
from interlink.domain.errors import ConfigurationError, ConflictError, NotFoundError
from interlink.domain.principal import AgencyScope, Capability, Role


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _user(row: Any) -> User:
    return User(
        id=row.id,
        name=row.name,
        agency_id=row.agency_id,
        agency=row.agency,
        roles=frozenset(Role(r) for r in row.roles),
        disabled=bool(row.disabled),
        has_password=row.password_hash is not None,
        has_totp=row.totp_secret is not None,
        oidc_subject=row.oidc_subject,
        failed_logins=int(row.failed_logins),
        locked_until=_utc(row.locked_until),
        created_at=_utc(row.created_at),
    )


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        user=row.user,
        label=row.label,
        scopes=None if row.scopes is None else frozenset(Capability(s) for s in row.scopes),
        created_at=_utc(row.created_at) or datetime.now(UTC),
        expires_at=_utc(row.expires_at) or datetime.now(UTC),
        revoked_at=_utc(row.revoked_at),
        last_used_at=_utc(row.last_used_at),
    )


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a login checks: the user and the stored hash and second-factor secret."""

    user: User
    password_hash: str | None
    totp_secret: str | None


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A browser session as stored (its id only as a hash)."""

    user_id: uuid.UUID
    csrf_token: str
    method: str
    second_factor_at: datetime | None
    expires_at: datetime


_USER_COLUMNS = (*users.c, agencies.c.name.label("agency"))
_TOKEN_COLUMNS = (*api_tokens.c, users.c.name.label("user"))


class AccountRepository:
    """Create, find and change accounts, sessions and tokens."""

    def __init__(self, engine: Engine, secrets: SecretBox | None = None) -> None:
        self._engine = engine
        self._secrets = secrets

    def _seal(self, value: str | None, purpose: str) -> str | None:
        """``value`` as stored: sealed when the store has a secret box (the server's and
        the CLI's stores do; a bare library store keeps what it is given)."""
        if value is None or self._secrets is None:
            return value
        return self._secrets.seal(value, purpose)

    def _open(self, value: str | None, purpose: str) -> str | None:
        if value is None or not is_sealed(value):
            return value
        if self._secrets is None:
            raise ConfigurationError("a stored secret is sealed, but this store has no node key")
        return self._secrets.open(value, purpose)

    # -- users --------------------------------------------------------------------------------

    def add_user(
        self,
        connection: Connection,
        *,
        name: str,
        agency_id: uuid.UUID,
        roles: Iterable[Role],
        password_hash: str | None,
        totp_secret: str | None,
    ) -> uuid.UUID:
        """Store a new user; ``ConflictError`` if the name is taken."""
        taken = connection.execute(select(users.c.id).where(users.c.name == name)).first()
        if taken is not None:
            raise ConflictError(f"user {name!r} exists")
        user_id = uuid.uuid4()
        connection.execute(
            users.insert().values(
                id=user_id,
                name=name,
                agency_id=agency_id,
                roles=sorted(r.value for r in roles),
                password_hash=password_hash,
                totp_secret=self._seal(totp_secret, f"totp:{user_id}"),
                disabled=False,
                failed_logins=0,
                created_at=datetime.now(UTC),
            )
        )
        return user_id

    def _user_query(self) -> Any:
        return select(*_USER_COLUMNS).join(agencies, agencies.c.id == users.c.agency_id)

    def credentials(self, name: str, connection: Connection | None = None) -> Credentials | None:
        """The user called ``name`` with its secrets, or ``None``."""
        query = self._user_query().where(users.c.name == name)
        if connection is not None:
            row = connection.execute(query).first()
        else:
            with reading(self._engine) as own:
                row = own.execute(query).first()
        if row is None:
            return None
        secret = self._open(row.totp_secret, f"totp:{row.id}")
        if secret is not None and self._secrets is not None and not is_sealed(row.totp_secret):
            sealing = (
                update(users)  # written before sealing existed: seal it now
                .where(users.c.id == row.id, users.c.totp_secret == row.totp_secret)
                .values(totp_secret=self._seal(secret, f"totp:{row.id}"))
            )
            if connection is not None:
                connection.execute(sealing)
            else:
                with self._engine.begin() as own_tx:
                    own_tx.execute(sealing)
        return Credentials(_user(row), row.password_hash, secret)

    def user(self, name: str) -> User:
        """The user called ``name``; ``NotFoundError`` if none (its secrets are not read)."""
        with reading(self._engine) as connection:
            row = connection.execute(self._user_query().where(users.c.name == name)).first()
        if row is None:
            raise NotFoundError("user", name)
        return _user(row)

    def user_by_id(self, user_id: uuid.UUID) -> User | None:
        """The user with this id, or ``None``."""
        with reading(self._engine) as connection:
            row = connection.execute(self._user_query().where(users.c.id == user_id)).first()
        return None if row is None else _user(row)

    def user_by_subject(self, subject: str) -> User | None:
        """The user linked to this identity-provider subject, or ``None``."""
        with reading(self._engine) as connection:
            row = connection.execute(
                self._user_query().where(users.c.oidc_subject == subject)
            ).first()
        return None if row is None else _user(row)

    def users(
        self, scope: AgencyScope | None, *, after: str | None = None, limit: int | None = None
    ) -> list[User]:
        """The users of the scope's agency (``None``: of the whole node), by name (unique);
        the first ``limit`` named after ``after`` (keyset: the query cuts the page)."""
        query = self._user_query().order_by(users.c.name).limit(limit)
        if after is not None:
            query = query.where(users.c.name > after)
        if scope is not None:
            query = query.where(users.c.agency_id == scope.agency_id)
        with reading(self._engine) as connection:
            return [_user(row) for row in connection.execute(query)]

    def set_user(self, connection: Connection, user_id: uuid.UUID, **values: Any) -> None:
        """Change stored fields of a user (disabled, password_hash, totp_secret, roles,
        failed_logins, locked_until, oidc_subject)."""
        if "roles" in values:
            values["roles"] = sorted(Role(r).value for r in values["roles"])
        if "totp_secret" in values:
            values["totp_secret"] = self._seal(values["totp_secret"], f"totp:{user_id}")
        connection.execute(update(users).where(users.c.id == user_id).values(**values))
        token_cache.invalidate()

    # -- sessions -----------------------------------------------------------------------------

    def add_session(
        self,
        connection: Connection,
        *,
        id_hash: str,
        user_id: uuid.UUID,
        csrf_token: str,
        method: str,
        second_factor_at: datetime | None,
        expires_at: datetime,
    ) -> None:
        """Store a new session."""
        connection.execute(
            user_sessions.insert().values(
                id_hash=id_hash,
                user_id=user_id,
                csrf_token=csrf_token,
                method=method,
                second_factor_at=second_factor_at,
                created_at=datetime.now(UTC),
                expires_at=expires_at,
            )
        )

    def session(self, id_hash: str) -> StoredSession | None:
        """The session with this id hash, or ``None``."""
        with reading(self._engine) as connection:
            row = connection.execute(
                select(user_sessions).where(user_sessions.c.id_hash == id_hash)
            ).first()
        if row is None:
            return None
        return StoredSession(
            row.user_id,
            row.csrf_token,
            row.method,
            _utc(row.second_factor_at),
            _utc(row.expires_at) or datetime.now(UTC),
        )

    def delete_session(self, connection: Connection, id_hash: str) -> None:
        """End one session."""
        connection.execute(delete(user_sessions).where(user_sessions.c.id_hash == id_hash))

    def set_session_second_factor(self, connection: Connection, id_hash: str, at: datetime) -> None:
        """Record that the session's user gave its second factor again at ``at``."""
        connection.execute(
            user_sessions.update()
            .where(user_sessions.c.id_hash == id_hash)
            .values(second_factor_at=at)
        )

    def delete_sessions_of(self, connection: Connection, user_id: uuid.UUID) -> None:
        """End every session of a user."""
        connection.execute(delete(user_sessions).where(user_sessions.c.user_id == user_id))

    # -- tokens -------------------------------------------------------------------------------

    def add_token(
        self,
        connection: Connection,
        *,
        user_id: uuid.UUID,
        label: str,
        token_hash: str,
        scopes: Iterable[Capability] | None,
        expires_at: datetime,
    ) -> uuid.UUID:
        """Store a new token (its hash only)."""
        token_id = uuid.uuid4()
        connection.execute(
            api_tokens.insert().values(
                id=token_id,
                user_id=user_id,
                label=label,
                token_hash=token_hash,
                scopes=None if scopes is None else sorted(s.value for s in scopes),
                created_at=datetime.now(UTC),
                expires_at=expires_at,
            )
        )
        return token_id

    def _token_query(self) -> Any:
        return select(*_TOKEN_COLUMNS).join(users, users.c.id == api_tokens.c.user_id)

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        """The token whose secret hashes to ``token_hash``, or ``None``."""
        with reading(self._engine) as connection:
            row = connection.execute(
                self._token_query().where(api_tokens.c.token_hash == token_hash)
            ).first()
        return None if row is None else _token(row)

    def tokens_with_users(self, token_hashes: Collection[str]) -> dict[str, tuple[ApiToken, User]]:
        """The tokens whose secrets hash to ``token_hashes`` (those that exist), each with its
        user, by hash: one query, for a server refreshing the tokens it keeps in memory."""
        if not token_hashes:
            return {}
        query = (
            self._token_query()
            .add_columns(api_tokens.c.token_hash)
            .where(api_tokens.c.token_hash.in_(list(token_hashes)))
        )
        with reading(self._engine) as connection:
            tokens = [(str(row.token_hash), _token(row)) for row in connection.execute(query)]
            owners = {token.user_id for _, token in tokens}
            found = {
                user.id: user
                for user in (
                    _user(row)
                    for row in connection.execute(
                        self._user_query().where(users.c.id.in_(list(owners)))
                    )
                )
            }
        return {
            digest: (token, found[token.user_id])
            for digest, token in tokens
            if token.user_id in found
        }

    def token(self, token_id: uuid.UUID) -> ApiToken | None:
        """The token with this id, or ``None``."""
        with reading(self._engine) as connection:
            row = connection.execute(self._token_query().where(api_tokens.c.id == token_id)).first()
        return None if row is None else _token(row)

    def tokens(
        self,
        *,
        user_id: uuid.UUID | None,
        scope: AgencyScope | None,
        after: uuid.UUID | None = None,
        limit: int | None = None,
    ) -> list[ApiToken]:
        """Tokens of one user, or of the users of the scope's agency (``None``: the node),
        newest first; with ``after`` or ``limit``, by id instead, the first ``limit`` after
        id ``after`` (keyset: the query cuts the page)."""
        if after is None and limit is None:
            query = self._token_query().order_by(api_tokens.c.created_at.desc(), api_tokens.c.id)
        else:
            query = self._token_query().order_by(api_tokens.c.id).limit(limit)
        if after is not None:
            query = query.where(api_tokens.c.id > after)
        if user_id is not None:
            query = query.where(api_tokens.c.user_id == user_id)
        if scope is not None:
            query = query.where(users.c.agency_id == scope.agency_id)
        with reading(self._engine) as connection:
            return [_token(row) for row in connection.execute(query)]

    def revoke_token(self, connection: Connection, token_id: uuid.UUID, at: datetime) -> None:
        """Mark a token revoked."""
        connection.execute(
            update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=at)
        )
        token_cache.invalidate()

    def touch_token(self, connection: Connection, token_id: uuid.UUID, at: datetime) -> None:
        """Record a token's last use."""
        self.touch_tokens(connection, {token_id: at})

    def touch_tokens(self, connection: Connection, uses: Mapping[uuid.UUID, datetime]) -> None:
        """Record tokens' last uses (one statement, many rows); a use older than the one
        stored leaves it."""
        if not uses:
            return
        connection.execute(
            update(api_tokens)
            .where(api_tokens.c.id == bindparam("token"))
            .where(
                or_(
                    api_tokens.c.last_used_at.is_(None),
                    api_tokens.c.last_used_at < bindparam("used"),
                )
            )
            .values(last_used_at=bindparam("used")),
            [{"token": token, "used": at} for token, at in uses.items()],
        )

    # -- identity providers -------------------------------------------------------------------

    def set_provider(self, connection: Connection, provider: IdentityProvider) -> None:
        """Store (or replace) an agency's identity provider."""
        connection.execute(
            delete(identity_providers).where(identity_providers.c.agency_id == provider.agency_id)
        )
        connection.execute(
            identity_providers.insert().values(
                agency_id=provider.agency_id,
                issuer=provider.issuer,
                client_id=provider.client_id,
                client_secret=self._seal(provider.client_secret, f"oidc:{provider.agency_id}"),
            )
        )

    def provider(self, agency_id: uuid.UUID) -> IdentityProvider | None:
        """The agency's identity provider, or ``None``."""
        with reading(self._engine) as connection:
            row = connection.execute(
                select(identity_providers).where(identity_providers.c.agency_id == agency_id)
            ).first()
        if row is None:
            return None
        secret = self._open(row.client_secret, f"oidc:{row.agency_id}")
        return IdentityProvider(row.agency_id, row.issuer, row.client_id, secret)

    def add_pending_login(
        self,
        connection: Connection,
        *,
        state: str,
        agency_id: uuid.UUID,
        nonce: str,
        code_verifier: str,
        redirect_uri: str,
    ) -> None:
        """Remember an OIDC login in flight until its callback."""
        connection.execute(
            oidc_logins.insert().values(
                state=state,
                agency_id=agency_id,
                nonce=nonce,
                code_verifier=code_verifier,
                redirect_uri=redirect_uri,
                created_at=datetime.now(UTC),
            )
        )

    def take_pending_login(
        self, connection: Connection, state: str
    ) -> tuple[uuid.UUID, str, str, str, datetime] | None:
        """Remove and return (agency id, nonce, verifier, redirect URI, created) of the login
        in flight with this state, or ``None``: a state is good for one callback only."""
        row = connection.execute(select(oidc_logins).where(oidc_logins.c.state == state)).first()
        if row is None:
            return None
        connection.execute(delete(oidc_logins).where(oidc_logins.c.state == state))
        created = _utc(row.created_at) or datetime.now(UTC)
        return row.agency_id, row.nonce, row.code_verifier, row.redirect_uri, created
