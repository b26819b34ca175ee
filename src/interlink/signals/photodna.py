"""Microsoft PhotoDNA: an opaque vendor hash (144 bytes).

Interlink cannot compute or compare PhotoDNA (the algorithm is licensed), but agencies exchange
it, so lists keep it and pass it on. Values are normalised to lower-case hex; base64 input (as
some exports write it) is converted.
"""

from __future__ import annotations

import base64
import binascii
import re

from interlink.domain.errors import InvalidSignalError
from interlink.signals.base import Family, SignalType, exact_compare

NAME = "photodna"
HASH_BYTES = 144
_HEX = re.compile(r"[0-9a-f]+")


def validate(value: str) -> str:
    """Normalise hex or base64 PhotoDNA to 288 lower-case hex digits."""
    text = value.strip()
    lowered = text.lower()
    if len(lowered) == HASH_BYTES * 2 and _HEX.fullmatch(lowered):
        return lowered
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) == HASH_BYTES:
        return raw.hex()
    raise InvalidSignalError(NAME, value, f"expected {HASH_BYTES} bytes as hex or base64")


compare = exact_compare
TYPE = SignalType(NAME, Family.OPAQUE, validate, compare, bits=HASH_BYTES * 8)
