"""Sealing stored secrets under a key derived from the node's audit key."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlink.adapters.audit_key import create_key
from interlink.adapters.secret_box import PREFIX, SecretBox, is_sealed
from interlink.domain.errors import ConfigurationError


def test_a_sealed_secret_opens_only_for_its_row_and_key(tmp_path: Path) -> None:
    box = SecretBox(tmp_path / "audit-key.pem")
    sealed = box.seal("JBSWY3DPEHPK3PXP", "totp:1")
    assert is_sealed(sealed) and "JBSWY3DPEHPK3PXP" not in sealed
    assert box.seal("JBSWY3DPEHPK3PXP", "totp:1") != sealed  # a fresh nonce each time
    assert box.open(sealed, "totp:1") == "JBSWY3DPEHPK3PXP"
    with pytest.raises(ConfigurationError, match="moved from its row"):
        box.open(sealed, "totp:2")
    other = SecretBox(create_key(tmp_path / "other.pem").path)
    with pytest.raises(ConfigurationError, match="another node key"):
        other.open(sealed, "totp:1")


def test_the_key_file_is_created_on_first_use_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "home" / "audit-key.pem"
    sealed = SecretBox(path).seal("s", "oidc:a")
    assert path.exists() and path.stat().st_mode & 0o077 == 0
    assert SecretBox(path).open(sealed, "oidc:a") == "s"


def test_a_value_stored_before_sealing_reads_as_it_is(tmp_path: Path) -> None:
    box = SecretBox(tmp_path / "never-created.pem")
    assert box.open("JBSWY3DPEHPK3PXP", "totp:1") == "JBSWY3DPEHPK3PXP"
    assert not (tmp_path / "never-created.pem").exists()
    assert not is_sealed("JBSWY3DPEHPK3PXP") and is_sealed(PREFIX + "x")
