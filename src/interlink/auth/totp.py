"""Time-based one-time passwords (RFC 6238, ``pyotp``): the second factor of local accounts."""

from __future__ import annotations

from datetime import datetime

import pyotp

ISSUER = "Interlink"


def new_secret() -> str:
    """A fresh base32 TOTP secret."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account: str) -> str:
    """The ``otpauth://`` URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def code_at(secret: str, at: datetime) -> str:
    """The code valid at ``at`` (for tests and enrolment checks)."""
    return pyotp.TOTP(secret).at(at)


def verify(secret: str, code: str, at: datetime) -> bool:
    """Whether ``code`` is valid at ``at``, allowing one 30 s step of clock drift."""
    if not code or not code.strip().isdigit():
        return False
    return pyotp.TOTP(secret).verify(code.strip(), for_time=at, valid_window=1)
