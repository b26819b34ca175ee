"""What every chat reader shares: the input it is given and small pure helpers.

A reader is a function ``read(export: ExportFile) -> Iterator[ChatItem]``: it yields each
``Conversation`` before its messages, a ``SourceLimit`` for what its format cannot tell, and a
``ChatProblem`` (never an exception) for input it cannot read, then goes on with the rest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import BinaryIO

#: Opens the export file afresh, read-only, at its start.
Opener = Callable[[], BinaryIO]
#: Whether a path relative to the export (archive member or file under its folder) exists;
#: answers the path as found, or ``None``.
Locator = Callable[[str], str | None]

#: Directional and invisible marks WhatsApp and others put around names and times.
_INVISIBLE = re.compile("[\u200e\u200f\u2068\u2069\u202a-\u202e\ufeff\u2066\u2067]")


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One file of an export: its name as shown in problems (``source``), a way to open it,
    and a way to find the files it refers to (attachments)."""

    source: str
    open: Opener
    locate: Locator = field(default=lambda _path: None)
    region: str | None = None


def clean(text: str) -> str:
    """``text`` without invisible direction marks; narrow no-break spaces become spaces."""
    if text.isascii():
        return text
    return _INVISIBLE.sub("", text).replace("\u202f", " ").replace("\u00a0", " ")


def digest(*parts: object) -> str:
    """A short stable key from ``parts`` (for messages the source gives no id)."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[
        :20
    ]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_epoch(seconds: float | int | str | None) -> datetime | None:
    """The UTC time of a Unix time in seconds, or ``None`` when absent or not a number."""
    if seconds is None or seconds == "":
        return None
    try:
        if isinstance(seconds, str) and seconds.isascii() and seconds.isdigit():
            # Whole seconds as text (Telegram's ``date_unixtime``): the same time, cheaper.
            return _EPOCH + timedelta(seconds=int(seconds))
        return datetime.fromtimestamp(float(seconds), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def from_iso(text: str | None) -> datetime | None:
    """An ISO 8601 time with its offset as UTC; ``None`` when absent, malformed, or without an
    offset (a time without a zone is never placed on the UTC line by guess)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.utcoffset() is None:
        return None
    return moment.astimezone(UTC)
