"""The demo's web user: an examiner and agency admin of the agency the demo scans into, with a
fresh random password and TOTP secret, so a newcomer can log in to the demo server."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import LOCAL_AGENCY
from interlink.domain.principal import Principal, Role
from interlink.services import accounts
from interlink.services.cases import acting_agency

DEMO_USER = "demo"
DEMO_ROLES = frozenset({Role.INVESTIGATOR, Role.EXAMINER, Role.AGENCY_ADMIN})


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """What the demo prints: who to log in as, the password and the TOTP secret."""

    name: str
    password: str
    totp_secret: str

    @property
    def otpauth_uri(self) -> str:
        """The secret as an authenticator app's enrolment URI."""
        return f"otpauth://totp/Interlink:{self.name}?secret={self.totp_secret}&issuer=Interlink"


def demo_login(store: SqlStore, *, agency: str = LOCAL_AGENCY, actor: str = "demo") -> DemoLogin:
    """Create the demo user in ``agency`` (audited) and return its credentials."""
    record = acting_agency(store, agency, actor=actor)
    password = secrets.token_urlsafe(12)
    made = accounts.add_user(
        store,
        Principal.local(record.id, record.name, actor),
        DEMO_USER,
        agency=record.name,
        roles=DEMO_ROLES,
        password=password,
    )
    if made.totp_secret is None:
        raise RuntimeError("the demo user's roles need a second factor")
    return DemoLogin(DEMO_USER, password, made.totp_secret)
