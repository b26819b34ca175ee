"""What a signal type is: its name, how values are normalised and how two are compared."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from interlink.domain.errors import InvalidSignalError


class Family(StrEnum):
    """How values of a type are searched."""

    EXACT = "exact"  # equal or not (cryptographic hashes)
    HAMMING = "hamming"  # bit strings compared by Hamming distance (PDQ)
    OPAQUE = "opaque"  # vendor hashes Interlink stores and exchanges but cannot compare
    FRAMES = "frames"  # lists of per-frame PDQ hashes compared by share of frames matched (vPDQ)
    FEATURES = "features"  # sets of local features verified geometrically (ORB)


@dataclass(frozen=True, slots=True)
class SignalType:
    """A signal type: ``validate`` normalises a value or raises ``InvalidSignalError``;
    ``compare`` gives the distance between two normalised values (0 is identical).

    ``threshold`` is the default distance at or under which two values match.
    """

    name: str
    family: Family
    validate: Callable[[str], str]
    compare: Callable[[str, str], int]
    bits: int = 0
    threshold: int = 0


def hex_validator(name: str, hex_digits: int) -> Callable[[str], str]:
    """A validator for fixed-length hex values: strips space and ``0x``, lower-cases."""
    pattern = re.compile(rf"[0-9a-f]{{{hex_digits}}}")

    def validate(value: str) -> str:
        text = value.strip().lower()
        if text.startswith("0x"):
            text = text[2:]
        if not pattern.fullmatch(text):
            raise InvalidSignalError(name, value, f"expected {hex_digits} hexadecimal digits")
        return text

    return validate


def exact_compare(a: str, b: str) -> int:
    """0 when equal, 1 otherwise."""
    return 0 if a == b else 1


def hamming_hex(a: str, b: str) -> int:
    """Hamming distance between two hex strings of the same length."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def crypto_type(name: str, hex_digits: int) -> SignalType:
    """The signal type of a ``hashlib`` digest named ``name`` (``md5``, ``sha1``, ...)."""
    return SignalType(
        name, Family.EXACT, hex_validator(name, hex_digits), exact_compare, bits=hex_digits * 4
    )
