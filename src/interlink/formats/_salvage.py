"""Reading the optional fields of a record without ever losing the record to one of them.

A reader parses each optional field through a ``Salvage``: a value that cannot be read is
noted (field, reason, raw text) and read as absent, instead of raising. ``kept`` then gives the
entry with the raw text of every such field in its ``extra`` (``<format>.<field>``), followed
by one ``RecordWarning`` per field. Hashes are never read through here: a bad hash is the
record's error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.formats import _values as v
from interlink.formats.base import RecordWarning

T = TypeVar("T")
#: Longest raw text kept of a field that could not be read (the rest is cut).
MAX_RAW = 4096
_NOT_KEY = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class FieldFailure:
    """One optional field that could not be read: its name, why, its text as written
    (``raw_text``) and the value itself."""

    field: str
    reason: str
    raw: str
    value: object = None


def raw_text(value: object) -> str:
    """``value`` as the text it was written as (JSON for what is not text), cut to ``MAX_RAW``."""
    if isinstance(value, str):
        text = value.strip()
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):
            text = repr(value)
    return text[:MAX_RAW]


def extra_key(prefix: str, field: str) -> str:
    """Where the raw text of ``field`` is kept: ``<prefix>.<field>`` in lower case,
    ``Number of submissions`` as ``number_of_submissions``."""
    return f"{prefix}.{_NOT_KEY.sub('_', field.lower()).strip('_')}"


class Salvage:
    """The optional fields of one record that could not be read, each read as absent."""

    def __init__(self) -> None:
        self.failures: list[FieldFailure] = []

    def note(self, field: str, reason: str, value: object) -> None:
        """Record that ``field`` (written as ``value``) could not be read, and why."""
        self.failures.append(FieldFailure(field, reason, raw_text(value), value))

    def read(self, parse: Callable[[object, str], T | None], value: object, field: str) -> T | None:
        """``parse(value, field)``, or ``None`` (noted) when it raises ``FormatError``."""
        try:
            return parse(value, field)
        except FormatError as exc:
            self.note(field, exc.reason, value)
            return None

    def flag(self, value: object, field: str) -> bool | None:
        """A yes/no field (``_values.parse_bool``)."""
        return self.read(v.parse_bool, value, field)

    def integer(self, value: object, field: str) -> int | None:
        """A whole-number field (``_values.parse_int``)."""
        return self.read(v.parse_int, value, field)

    def text(self, value: object, field: str, max_chars: int = v.MAX_TEXT) -> str | None:
        """A text field of at most ``max_chars`` (``_values.parse_text``)."""
        return self.read(lambda value, field: v.parse_text(value, field, max_chars), value, field)

    def time(self, value: object, field: str) -> datetime | None:
        """A date-and-time field (``_values.parse_time``)."""
        return self.read(v.parse_time, value, field)

    def time_text(self, value: object, field: str) -> str | None:
        """A date-and-time field written back as ``_values.format_time`` writes it."""
        return self.read(v.time_text, value, field)


def kept(
    entry: ListEntry, failures: list[FieldFailure], position: str, prefix: str
) -> Iterator[ListEntry | RecordWarning]:
    """``entry`` with the raw text of each failed field in its ``extra``, then a warning per
    field naming ``position``."""
    if not failures:
        yield entry
        return
    raw = {(extra_key(prefix, f.field), f.raw) for f in failures if f.raw}
    yield replace(entry, extra=tuple(sorted({*entry.extra, *raw})))
    for failure in failures:
        yield RecordWarning(position, failure.field, failure.reason)
