"""Who is asking: the ``Principal`` every service takes, the roles of a user within its agency,
and the capabilities each role grants. Pure rules, no I/O.

A principal acts for exactly one agency. What it may do is the union of its roles'
capabilities, narrowed to its token's scopes when it authenticated with a token. Which rows it
may see is its ``scope`` (its agency): repositories take the scope, never a bare agency id from
a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from interlink.domain.errors import AccessDeniedError, InvalidFieldError


class Role(StrEnum):
    """A user's role within its agency."""

    VIEWER = "viewer"
    INVESTIGATOR = "investigator"
    EXAMINER = "examiner"
    CURATOR = "curator"
    AGENCY_ADMIN = "agency-admin"
    NODE_ADMIN = "node-admin"


class Capability(StrEnum):
    """One thing a principal may do; token scopes are sets of these."""

    FIGURES_READ = "figures:read"  # counts, operation figures, link and hit summaries
    CASES_READ = "cases:read"  # the own agency's case records, reports, links, watch hits
    CASES_WRITE = "cases:write"  # open, close, identifiers, watches, operations
    MEDIA_BLURRED = "media:blurred"  # media records with blurred thumbnails and clues
    MEDIA_REVEAL = "media:reveal"  # the clear thumbnail of a media
    SCANS_RUN = "scans:run"
    GRADING = "grading"
    LISTS_READ = "lists:read"
    LISTS_WRITE = "lists:write"  # import, enable, disable
    VOTES = "votes"
    LOOKUPS = "lookups"  # hash lookups against the enabled lists
    NETWORKS = "networks"  # platform reports, network builds, referrals
    USERS_AGENCY = "users:agency"  # the own agency's users
    USERS_NODE = "users:node"  # every user of the node
    NODE_SETTINGS = "node:settings"
    AUDIT_READ = "audit:read"
    AUDIT_VERIFY = "audit:verify"


C = Capability
#: What each role grants. A node admin runs the node but never sees case content.
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.VIEWER: frozenset({C.FIGURES_READ}),
    Role.INVESTIGATOR: frozenset(
        {
            C.FIGURES_READ,
            C.CASES_READ,
            C.CASES_WRITE,
            C.MEDIA_BLURRED,
            C.LISTS_READ,
            C.LOOKUPS,
            C.NETWORKS,
        }
    ),
    Role.EXAMINER: frozenset(
        {
            C.FIGURES_READ,
            C.CASES_READ,
            C.MEDIA_BLURRED,
            C.MEDIA_REVEAL,
            C.SCANS_RUN,
            C.GRADING,
            C.LISTS_READ,
            C.LOOKUPS,
        }
    ),
    Role.CURATOR: frozenset(
        {C.FIGURES_READ, C.LISTS_READ, C.LISTS_WRITE, C.VOTES, C.LOOKUPS, C.GRADING}
    ),
    Role.AGENCY_ADMIN: frozenset({C.FIGURES_READ, C.USERS_AGENCY, C.AUDIT_READ, C.AUDIT_VERIFY}),
    Role.NODE_ADMIN: frozenset({C.USERS_NODE, C.NODE_SETTINGS, C.AUDIT_VERIFY}),
}
#: Capabilities that reach every agency's records of their kind (a node admin's users).
NODE_WIDE_CAPABILITIES = frozenset({C.USERS_NODE})
#: Capabilities that need a second factor at login (TOTP or the identity provider's).
SECOND_FACTOR_CAPABILITIES = frozenset({C.MEDIA_REVEAL})


def capabilities_of(roles: Iterable[Role]) -> frozenset[Capability]:
    """The union of what ``roles`` grant."""
    granted: set[Capability] = set()
    for role in roles:
        granted |= ROLE_CAPABILITIES[role]
    return frozenset(granted)


def needs_second_factor(roles: Iterable[Role]) -> bool:
    """Whether a user with ``roles`` must log in with a second factor."""
    return bool(capabilities_of(roles) & SECOND_FACTOR_CAPABILITIES)


def parse_roles(names: Iterable[str]) -> frozenset[Role]:
    """Roles by name; ``InvalidFieldError`` naming the first unknown one; at least one."""
    roles: set[Role] = set()
    for name in names:
        try:
            roles.add(Role(name.strip()))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise InvalidFieldError("role", name, f"not one of {known}") from None
    if not roles:
        raise InvalidFieldError("role", "", "give at least one role")
    return frozenset(roles)


def parse_scopes(names: Iterable[str]) -> frozenset[Capability]:
    """Token scopes by name; ``InvalidFieldError`` naming the first unknown one."""
    scopes: set[Capability] = set()
    for name in names:
        try:
            scopes.add(Capability(name.strip()))
        except ValueError:
            raise InvalidFieldError("scope", name, "not a capability") from None
    return frozenset(scopes)


class AuthMethod(StrEnum):
    """How a principal proved who it is."""

    LOCAL = "local"  # the command line on the node itself
    PASSWORD = "password"
    OIDC = "oidc"
    TOKEN = "token"


@dataclass(frozen=True, slots=True)
class AgencyScope:
    """The rows a principal may see: those of one agency. Repositories that return an
    agency's records take one of these, so an unscoped query cannot be written."""

    agency_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user acting for its agency.

    ``scopes`` is ``None`` unless the principal authenticated with a token, whose scopes then
    narrow what its roles grant. ``actor`` is the name the audit log records.
    """

    user_id: uuid.UUID
    name: str
    agency_id: uuid.UUID
    agency: str
    roles: frozenset[Role]
    method: AuthMethod
    scopes: frozenset[Capability] | None = None
    second_factor_at: datetime | None = None
    token_id: uuid.UUID | None = None
    actor: str = ""

    def __post_init__(self) -> None:
        if not self.actor:
            object.__setattr__(self, "actor", f"{self.agency}/{self.name}")

    @classmethod
    def local(cls, agency_id: uuid.UUID, agency: str, actor: str) -> Principal:
        """The one user of a laptop install: every role, for the configured agency."""
        return cls(
            user_id=uuid.UUID(int=0),
            name=actor,
            agency_id=agency_id,
            agency=agency,
            roles=frozenset(Role),
            method=AuthMethod.LOCAL,
            actor=actor,
        )

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What this principal may do: its roles' capabilities within its token's scopes."""
        granted = capabilities_of(self.roles)
        return granted if self.scopes is None else granted & self.scopes

    @property
    def scope(self) -> AgencyScope:
        """The rows this principal may see."""
        return AgencyScope(self.agency_id)

    def can(self, capability: Capability) -> bool:
        """Whether this principal holds ``capability``."""
        return capability in self.capabilities

    def require(self, capability: Capability) -> None:
        """``AccessDeniedError`` unless this principal holds ``capability``."""
        if capability not in self.capabilities:
            raise AccessDeniedError(f"{self.actor} lacks the capability {capability.value!r}")
