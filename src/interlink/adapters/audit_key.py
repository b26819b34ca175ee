"""The node's Ed25519 audit key, kept in a file outside the database.

The file holds the private key as unencrypted PKCS#8 PEM. It is created with mode 0600 on
first use (or by ``interlink audit keygen``) and refused when anyone but its owner, the
service user, may read or write it: a key others can read no longer proves who signed.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from interlink.audit_verifier import fingerprint
from interlink.domain.errors import AuditKeyError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@dataclass(frozen=True, slots=True)
class NodeKey:
    """The node's signing key: its raw public key, its fingerprint, and a signer."""

    path: Path
    public_key: bytes
    _private: Ed25519PrivateKey = field(repr=False)

    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the raw public key."""
        return fingerprint(self.public_key)

    def sign(self, message: bytes) -> str:
        """The Ed25519 signature of ``message``, in hex."""
        return self._private.sign(message).hex()

    def derive(self, info: bytes, length: int) -> bytes:
        """A key of ``length`` bytes for the purpose ``info``, derived from the private key
        with HKDF-SHA256 (so the one file outside the database also seals stored secrets,
        each purpose under its own key)."""
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        raw = self._private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(raw)


def create_key(path: Path) -> NodeKey:
    """Write a new key to ``path`` (mode 0600; never over an existing file) and return it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole under a private temporary name (mkstemp makes it 0600), then linked into
    # place: another process never sees a half-written key, and an existing key is never
    # replaced.
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise AuditKeyError(str(path), f"cannot be created: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(pem)
            stream.flush()
            os.fsync(stream.fileno())
        os.link(temporary, path)
    except FileExistsError:
        raise AuditKeyError(str(path), "already exists; it is never overwritten") from None
    except OSError as exc:
        raise AuditKeyError(str(path), f"cannot be created: {exc.strerror}") from None
    finally:
        os.unlink(temporary)
    return load_key(path)


def load_key(path: Path) -> NodeKey:
    """The key in ``path``; refused if missing, not a regular file of this user, open to its
    group or others, or not an Ed25519 private key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise AuditKeyError(
            str(path), "does not exist (create it: interlink audit keygen)"
        ) from None
    except OSError as exc:
        raise AuditKeyError(str(path), f"cannot be opened: {exc.strerror}") from None
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise AuditKeyError(str(path), "is not a regular file")
        if info.st_mode & 0o077:
            raise AuditKeyError(
                str(path),
                f"is open to its group or others (mode {stat.S_IMODE(info.st_mode):04o}); "
                "only the service user may read it: chmod 600",
            )
        if info.st_uid != os.geteuid():
            raise AuditKeyError(str(path), "belongs to another user than the service's")
        pem = stream.read()
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise AuditKeyError(str(path), f"is not a readable private key: {exc}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise AuditKeyError(str(path), "is not an Ed25519 key")
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return NodeKey(path, public, private)


def ensure_key(path: Path) -> tuple[NodeKey, bool]:
    """The key in ``path``, created first if there is none; and whether it was created."""
    if os.path.lexists(path):
        return load_key(path), False
    try:
        return create_key(path), True
    except AuditKeyError:
        if os.path.lexists(path):  # another process created it first
            return load_key(path), False
        raise
