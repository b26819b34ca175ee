"""Accounts of a multi-agency node: users, their API tokens and browser sessions (records
only; secrets are never held here, only what the store keeps of them)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from interlink.domain.errors import InvalidFieldError
from interlink.domain.principal import Capability, Role

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}")


def user_name(text: str) -> str:
    """``text`` as a user name: letters, digits and ``._@+-``, 1 to 200 characters."""
    name = text.strip()
    if not _NAME.fullmatch(name):
        raise InvalidFieldError("name", text, "use letters, digits and . _ @ + - only")
    return name


@dataclass(frozen=True, slots=True)
class User:
    """A person with an account: one agency, one or more roles."""

    id: uuid.UUID
    name: str
    agency_id: uuid.UUID
    agency: str
    roles: frozenset[Role]
    disabled: bool = False
    has_password: bool = False
    has_totp: bool = False
    oidc_subject: str | None = None
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A personal API token's record (its secret is shown once and stored hashed)."""

    id: uuid.UUID
    user_id: uuid.UUID
    user: str
    label: str
    scopes: frozenset[Capability] | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        """Whether the token authenticates at ``now`` (not revoked, not expired)."""
        return self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """An agency's OpenID Connect provider, by issuer URL, and this node's client there."""

    agency_id: uuid.UUID
    issuer: str
    client_id: str
    client_secret: str | None = None
