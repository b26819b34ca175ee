from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from interlink.adapters.audit_key import create_key, ensure_key, load_key
from interlink.domain.errors import AuditKeyError


def test_a_new_key_is_private_to_its_user_and_signs(tmp_path: Path) -> None:
    key = create_key(tmp_path / "deep" / "audit-key.pem")
    assert stat.S_IMODE(os.stat(key.path).st_mode) == 0o600
    assert len(key.public_key) == 32 and len(key.fingerprint) == 64
    again = load_key(key.path)
    assert again.public_key == key.public_key
    assert len(bytes.fromhex(again.sign(b"head"))) == 64
    assert [p.name for p in key.path.parent.iterdir()] == ["audit-key.pem"]  # no leftovers


def test_an_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    key = create_key(tmp_path / "k.pem")
    with pytest.raises(AuditKeyError, match="never overwritten"):
        create_key(key.path)
    found, created = ensure_key(key.path)
    assert not created and found.public_key == key.public_key
    made, created = ensure_key(tmp_path / "new.pem")
    assert created and made.public_key != key.public_key


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_key_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    key = create_key(tmp_path / "k.pem")
    key.path.chmod(mode)
    with pytest.raises(AuditKeyError, match="group or others"):
        load_key(key.path)


def test_missing_linked_and_foreign_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(AuditKeyError, match="does not exist"):
        load_key(tmp_path / "none.pem")
    key = create_key(tmp_path / "k.pem")
    (tmp_path / "link.pem").symlink_to(key.path)
    with pytest.raises(AuditKeyError, match="cannot be opened"):
        load_key(tmp_path / "link.pem")
    bad = tmp_path / "bad.pem"
    bad.write_bytes(b"not a key")
    bad.chmod(0o600)
    with pytest.raises(AuditKeyError, match="not a readable private key"):
        load_key(bad)
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    wrong = tmp_path / "ec.pem"
    wrong.write_bytes(other)
    wrong.chmod(0o600)
    with pytest.raises(AuditKeyError, match="not an Ed25519 key"):
        load_key(wrong)
