"""Tolerant readers of single field values, shared by the format modules.

Real exports write booleans as strings ("true", "Yes", "1"), numbers as strings (OData v3
writes 64-bit integers as strings), times in several ISO 8601 dialects and .NET's
``/Date(ms)/``, and hashes in upper case. These helpers accept all of that and raise
``FormatError`` (the reason only; the reader adds the position) for a value that would be
wrong to keep. Hash values go through the signal registry, so what is stored is normalised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

from interlink.domain.errors import FormatError, InterlinkError
from interlink.domain.signals import Signal
from interlink.signals import registry

#: Longest text field kept (series names, comments, paths); longer is a record error.
MAX_TEXT = 1 << 20
#: Signal types of which one item has exactly one value: two different values are corrupt.
SINGLE_VALUED = frozenset({"md5", "sha1", "sha256"})

_TRUE = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})
_NULL = frozenset({"", "null", "none", "n/a"})
_INT = re.compile(r"[+-]?\d{1,19}")
_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*Z?"
)
_DOTNET = re.compile(r"/Date\((-?\d+)([+-]\d{4})?\)/")
_ZERO = timedelta(0)
_UTC_Z = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z")
_VALIDATORS: dict[str, Callable[[str], str]] = {}


def parse_bool(value: object, field: str) -> bool | None:
    """``value`` as a yes/no flag; ``None`` when empty or null."""
    if value is None or value is True or value is False:
        return value
    if type(value) is str:
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    if isinstance(value, int | float) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if text in _NULL:
            return None
    raise FormatError(f"{field}: not a yes/no value: {_show(value)}")


def parse_int(value: object, field: str) -> int | None:
    """``value`` as a whole number; ``None`` when empty or null."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _NULL:
            return None
        if _INT.fullmatch(text):
            return int(text)
    raise FormatError(f"{field}: not a whole number: {_show(value)}")


def parse_text(value: object, field: str, max_chars: int = MAX_TEXT) -> str | None:
    """``value`` as trimmed text (numbers are written out); ``None`` when empty or null."""
    if value is None:
        return None
    if type(value) is str:
        if len(value) > max_chars:
            raise FormatError(f"{field}: longer than {max_chars} characters")
        return value.strip() or None
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        raise FormatError(f"{field}: expected text, found {type(value).__name__}")
    if len(text) > max_chars:
        raise FormatError(f"{field}: longer than {max_chars} characters")
    return text or None


def parse_time(value: object, field: str) -> datetime | None:
    """``value`` as an aware UTC time; ``None`` when empty or null.

    Accepts ISO 8601 with or without seconds, any number of fractional digits, an offset and
    a trailing ``Z`` (even both, as some exporters write), and .NET ``/Date(ms)/``. A time
    without an offset is taken as UTC.
    """
    text = parse_text(value, field, 64)
    if text is None or text.lower() in _NULL:
        return None
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        stamp = _parse_time_slowly(text, value, field)
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=UTC)
    try:
        return stamp.astimezone(UTC)
    except (OverflowError, ValueError):
        raise FormatError(f"{field}: out of range: {_show(value)}") from None


def _parse_time_slowly(text: str, value: object, field: str) -> datetime:
    dotnet = _DOTNET.fullmatch(text)
    if dotnet:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(dotnet.group(1)))
    match = _TIME.fullmatch(text)
    if match is None:
        raise FormatError(f"{field}: not a date and time: {_show(value)}")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
            tzinfo=_zone(offset),
        )
    except ValueError as exc:
        raise FormatError(f"{field}: not a date and time: {_show(value)} ({exc})") from None


def _zone(offset: str | None) -> timezone:
    if offset is None or offset == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone(sign * timedelta(minutes=minutes))


def time_text(value: object, field: str) -> str | None:
    """``value`` read as by ``parse_time`` and written as by ``format_time``, fast for values
    already in UTC with a ``Z`` (the usual case in exports)."""
    if type(value) is str:
        match = _UTC_Z.fullmatch(value)
        if match is not None:
            try:
                datetime.fromisoformat(match.group(1))
            except ValueError:
                raise FormatError(f"{field}: not a date and time: {_show(value)}") from None
            fraction = (match.group(2) or "")[:6].rstrip("0")
            return (
                f"{match.group(1)}.{fraction.ljust(6, '0')}Z" if fraction else f"{match.group(1)}Z"
            )
    stamp = parse_time(value, field)
    return None if stamp is None else format_time(stamp)


def format_time(stamp: datetime) -> str:
    """``stamp`` in UTC as ISO 8601 with a ``Z`` (microseconds only when not zero)."""
    if stamp.utcoffset() != _ZERO:
        stamp = stamp.astimezone(UTC)
    return stamp.replace(tzinfo=None).isoformat() + "Z"


def signal(signal_type: str, value: object, field: str) -> Signal | None:
    """The normalised signal of ``value``, ``None`` when the value is empty; a value that does
    not fit the type is a ``FormatError``."""
    if type(value) is not str:
        value = parse_text(value, field, 4096)
        if value is None:
            return None
    elif not value or value.isspace():
        return None
    elif len(value) > 4096:
        raise FormatError(f"{field}: longer than 4096 characters")
    validate = _VALIDATORS.get(signal_type)
    try:
        if validate is None:
            validate = _VALIDATORS.setdefault(signal_type, registry.get(signal_type).validate)
        return Signal(signal_type, validate(value))
    except InterlinkError as exc:
        raise FormatError(f"{field}: {exc}") from None


def signal_set(signals: Iterable[Signal | None]) -> tuple[Signal, ...]:
    """Distinct signals in a canonical order; two values of a single-valued type (two MD5s
    for one item) are a ``FormatError``."""
    unique = sorted({item for item in signals if item is not None})
    for before, after in pairwise(unique):
        if before.type == after.type and before.type in SINGLE_VALUED:
            raise FormatError(f"two different {before.type} values for one item")
    return tuple(unique)


def media_kind_of_mime(mime: str | None) -> str | None:
    """``image`` or ``video`` from a MIME type, else ``None``."""
    if mime is None:
        return None
    major = mime.split("/", 1)[0].strip().lower()
    return major if major in ("image", "video") else None


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
