"""Opaque vendor tokens: hashes Interlink keeps and passes on but cannot compute or compare.

Some exchange formats carry vendor hashes whose encoding is not published (Interpol ICSE's
``ZZ40`` and ``Lace`` columns). Such a value is kept exactly as given, surrounding space aside:
its letter case may be significant, so it is not folded. It must be one printable token of the
characters hex, base64 and base64url encodings use, and no longer than ``max_chars``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from interlink.domain.errors import InvalidSignalError
from interlink.signals.base import Family, SignalType, exact_compare

_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-]+")


def token_validator(name: str, max_chars: int) -> Callable[[str], str]:
    """A validator for opaque tokens of at most ``max_chars`` characters."""

    def validate(value: str) -> str:
        text = value.strip()
        if not text or len(text) > max_chars or not _TOKEN.fullmatch(text):
            raise InvalidSignalError(
                name, value, f"expected one token of at most {max_chars} hex/base64 characters"
            )
        return text

    return validate


def opaque_type(name: str, max_chars: int = 4096) -> SignalType:
    """The signal type of an opaque vendor token called ``name``."""
    return SignalType(name, Family.OPAQUE, token_validator(name, max_chars), exact_compare)
