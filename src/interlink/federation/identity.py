"""A node's identity: one Ed25519 key that signs everything the node sends, and a self-signed
X.509 certificate over the same key for mutual TLS.

The fingerprint a partner pins (``peers add URL --fingerprint FP``) is the SHA-256 of the raw
32-byte public key, in lower-case hex. Pinning the key pins the certificate too: a peer's TLS
certificate is accepted only when the key it certifies has the pinned fingerprint, so the
certificate can be re-issued (new validity) without a new peering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from interlink.domain.errors import ConfigurationError, InvalidFieldError

#: File names inside the node folder (``$INTERLINK_HOME/node``).
KEY_FILE = "identity.pem"
CERT_FILE = "tls-cert.pem"
#: Validity of a newly issued TLS certificate.
CERT_DAYS = 825


def fingerprint_of(public_key: bytes) -> str:
    """The fingerprint of a raw Ed25519 public key: SHA-256, lower-case hex."""
    return hashlib.sha256(public_key).hexdigest()


def normalise_fingerprint(text: str) -> str:
    """A fingerprint as typed (any case; colons, spaces or a ``sha256:`` prefix allowed) in its
    normal form; raise ``InvalidFieldError`` if it is not 32 bytes of hex."""
    value = text.strip().lower().removeprefix("sha256:")
    value = value.replace(":", "").replace(" ", "").replace("-", "")
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InvalidFieldError("fingerprint", text, "must be 64 hex digits (SHA-256)")
    return value


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """The node's signing key, its public key and its TLS certificate (PEM)."""

    private_key: Ed25519PrivateKey
    certificate_pem: bytes

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def fingerprint(self) -> str:
        """What partners pin."""
        return fingerprint_of(self.public_key)

    @property
    def certificate_fingerprint(self) -> str:
        """SHA-256 of the certificate's DER bytes (what TLS tools show)."""
        cert = x509.load_pem_x509_certificate(self.certificate_pem)
        return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()

    def sign(self, message: bytes) -> bytes:
        """An Ed25519 signature of ``message``."""
        return self.private_key.sign(message)

    def private_key_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM (for the TLS server; keep it 0600)."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is the Ed25519 signature of ``message`` under ``public_key``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def issue_certificate(
    private_key: Ed25519PrivateKey, name: str, *, now: dt.datetime | None = None
) -> bytes:
    """A self-signed TLS certificate (PEM) for ``name`` over ``private_key``, usable as both
    server and client certificate (mTLS); its subject alternative names are ``name`` and
    ``localhost``/``127.0.0.1`` for loopback tests."""
    now = now or dt.datetime.now(dt.UTC)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Interlink node"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CERT_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(name),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .sign(private_key, None)
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def certificate_key_fingerprint(certificate_pem: bytes) -> str:
    """The fingerprint of the key a PEM certificate certifies (to check against a pin)."""
    cert = x509.load_pem_x509_certificate(certificate_pem)
    key = cert.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidFieldError("certificate", "(PEM)", "does not certify an Ed25519 key")
    return fingerprint_of(
        key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def generate_identity(name: str) -> NodeIdentity:
    """A new identity (key and certificate) for the node called ``name``."""
    key = Ed25519PrivateKey.generate()
    return NodeIdentity(key, issue_certificate(key, name))


def load_or_create_identity(folder: Path, name: str) -> NodeIdentity:
    """The identity kept in ``folder`` (created, key file mode 0600, on first use)."""
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    if key_path.exists():
        try:
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        except ValueError as exc:
            raise ConfigurationError(f"{key_path}: not a readable private key: {exc}") from exc
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ConfigurationError(f"{key_path}: not an Ed25519 key")
        if cert_path.exists():
            cert = cert_path.read_bytes()
        else:
            cert = issue_certificate(loaded, name)
            cert_path.write_bytes(cert)
        return NodeIdentity(loaded, cert)
    folder.mkdir(parents=True, exist_ok=True)
    identity = generate_identity(name)
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(identity.private_key_pem())
    cert_path.write_bytes(identity.certificate_pem)
    return identity
