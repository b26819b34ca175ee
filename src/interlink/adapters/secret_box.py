"""Secrets the store must keep but a database reader must not learn: users' TOTP secrets and
agencies' identity-provider client secrets (the threat model's database-level attacker).

They are sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the node's audit key,
the file outside the database that only the service user reads; each value is bound to its
row (``purpose``), so a sealed secret copied into another user's row does not open. A sealed
value is ``sealed1:`` and the URL-safe base64 of nonce, ciphertext and tag. Values written
before sealing existed (plain text) still read, and are sealed on their next use.
"""

from __future__ import annotations

import base64
import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from interlink.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "sealed1:"
_INFO = b"interlink secret box v1"


def is_sealed(value: str) -> bool:
    """Whether ``value`` was written by a ``SecretBox``."""
    return value.startswith(PREFIX)


class SecretBox:
    """Seals and opens short secrets with a key derived from the audit key at ``key_path``
    (created on first use, as the audit log does); the key file is read on first use only."""

    def __init__(self, key_path: Path) -> None:
        self.key_path = key_path

    @cached_property
    def _cipher(self) -> AESGCM:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        from interlink.adapters.audit_key import ensure_key

        key, _ = ensure_key(self.key_path)
        return AESGCM(key.derive(_INFO, 32))

    def seal(self, value: str, purpose: str) -> str:
        """``value`` sealed for ``purpose`` (a row's identity, e.g. ``totp:<user id>``)."""
        nonce = os.urandom(12)
        sealed = self._cipher.encrypt(nonce, value.encode(), purpose.encode())
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, value: str, purpose: str) -> str:
        """The secret in ``value`` (returned as is when it was stored before sealing);
        ``ConfigurationError`` when it was sealed under another key or for another row."""
        if not is_sealed(value):
            return value
        from cryptography.exceptions import InvalidTag

        raw = base64.urlsafe_b64decode(value[len(PREFIX) :])
        try:
            return self._cipher.decrypt(raw[:12], raw[12:], purpose.encode()).decode()
        except InvalidTag:
            raise ConfigurationError(
                f"a stored secret ({purpose.split(':')[0]}) does not open with the key in "
                f"{self.key_path}: it was sealed under another node key or moved from its row"
            ) from None
