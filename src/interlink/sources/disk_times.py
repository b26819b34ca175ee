"""MACB times of a disk image's files, as the provenance of each item records them.

The text is dfdatetime's ISO 8601 (``CopyToDateTimeStringISO8601``), which finds the date by
counting years from the epoch one at a time: about a millisecond of a scan's coordinator per
file. ``iso8601`` computes the same text with the standard library for the kinds most file
systems give (POSIX seconds and nanoseconds: ext2/3/4, APFS; FILETIME: NTFS) and leaves every
other kind, and any value outside years 1-9999 or with a time zone, to dfdatetime.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from dfdatetime import filetime, posix_time
from dfvfs.lib import errors

_TIMES = (
    ("m", "modification_time"),
    ("a", "access_time"),
    ("c", "change_time"),
    ("b", "creation_time"),
)
_BACK_END_ERRORS = (errors.Error, OSError, RuntimeError, ValueError)
#: Kind -> (ordinal of its epoch's day, units per second, digits of the fraction).
_KINDS: dict[type, tuple[int, int, int]] = {
    posix_time.PosixTime: (date(1970, 1, 1).toordinal(), 1, 0),
    posix_time.PosixTimeInNanoseconds: (date(1970, 1, 1).toordinal(), 10**9, 9),
    filetime.Filetime: (date(1601, 1, 1).toordinal(), 10**7, 7),
}
_LAST_DAY = date(9999, 12, 31).toordinal()


def times(item: Any) -> tuple[dict[str, str], Any]:
    """``m``, ``a``, ``c`` and ``b`` of a dfVFS file entry, those it has, as text; and its
    modification time as dfVFS gives it (``None`` if it has none), which dfVFS makes anew
    each time it is asked for."""
    found: dict[str, str] = {}
    modified = None
    for key, attribute in _TIMES:
        try:
            value = getattr(item, attribute)
        except _BACK_END_ERRORS:
            continue
        if key == "m":
            modified = value
        text = iso8601(value) if value is not None else None
        if text:
            found[key] = text
    return found, modified


def iso8601(value: Any) -> str | None:
    """``value.CopyToDateTimeStringISO8601()``, the same text (see the module docstring)."""
    kind = _KINDS.get(type(value))
    timestamp = value.timestamp if kind is not None else None
    if kind is None or not isinstance(timestamp, int) or timestamp < 0:
        return value.CopyToDateTimeStringISO8601()  # type: ignore[no-any-return]
    if value.time_zone_offset is not None or value.is_local_time:
        return value.CopyToDateTimeStringISO8601()  # type: ignore[no-any-return]
    epoch, per_second, digits = kind
    seconds, fraction = divmod(timestamp, per_second)
    days, seconds = divmod(seconds, 86400)
    if epoch + days > _LAST_DAY:
        return value.CopyToDateTimeStringISO8601()  # type: ignore[no-any-return]
    day = date.fromordinal(epoch + days)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{day.year:04d}-{day.month:02d}-{day.day:02d}T{hours:02d}:{minutes:02d}:{seconds:02d}"
    return text + (f".{fraction:0{digits}d}" if digits else "") + "+00:00"


def as_datetime(value: Any) -> datetime | None:
    """A dfdatetime value as an aware ``datetime`` (whole seconds), if it has one."""
    if value is None:
        return None
    try:
        seconds = value.CopyToPosixTimestamp()
    except _BACK_END_ERRORS:
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None


def iso(seconds: int) -> str:
    """POSIX seconds (The Sleuth Kit's times) as ISO 8601 text."""
    return datetime.fromtimestamp(seconds, UTC).isoformat()
