import hashlib

import pytest

from interlink.domain.errors import ConfigurationError, InvalidSignalError, UnknownSignalTypeError
from interlink.signals import md5, pdq, photodna, registry, sha256
from interlink.signals.base import Family


def test_builtins_are_registered_once() -> None:
    names = set(registry.registry())
    assert {"md5", "sha1", "sha256", "pdq", "photodna"} <= names
    with pytest.raises(ConfigurationError, match="twice"):
        registry.build([md5.TYPE, md5.TYPE])
    with pytest.raises(UnknownSignalTypeError):
        registry.get("nope")


def test_crypto_validators_normalise_and_refuse() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    assert sha256.validate("  0X" + digest.upper() + " ") == digest
    with pytest.raises(InvalidSignalError):
        sha256.validate(digest[:-1])
    with pytest.raises(InvalidSignalError):
        md5.validate("g" * 32)
    assert registry.normalise("md5", "A" * 32) == "a" * 32


def test_pdq_compare_is_hamming() -> None:
    a = "0" * 64
    b = "f" + "0" * 63
    assert pdq.TYPE.family is Family.HAMMING
    assert pdq.compare(a, b) == 4
    assert pdq.compare(b, b) == 0


def test_photodna_accepts_hex_and_base64() -> None:
    import base64

    raw = bytes(range(144))
    assert photodna.validate(raw.hex().upper()) == raw.hex()
    assert photodna.validate(base64.b64encode(raw).decode()) == raw.hex()
    with pytest.raises(InvalidSignalError):
        photodna.validate("abcd")
