"""What every interchange reader yields and every writer returns.

A reader is a function ``read(stream) -> Iterator[record]`` over a binary stream opened
read-only. It never touches the store and never stops for one bad record: it yields a
``RecordError`` (with the record's position and the reason) and goes on. A failure of the whole
stream (truncated JSON, a file that is not the format at all) ends the stream with one
``RecordError`` whose ``fatal`` is true, after every good record before it. Readers hold one
record at a time, so memory does not grow with the file.

Hash-set readers yield ``interlink.domain.lists.ListEntry`` for each known item, ``Tombstone``
for each deletion a list announces, and at most a few ``ListInfo`` records describing the list
itself. A writer ``write(entries, stream) -> WriteReport`` streams too.

An entry whose hashes are valid is always kept: an optional field that cannot be read (a flag
that is not yes/no, a category code no known scheme holds, a date that is not a date) is left
out of the entry, its raw text kept in the entry's ``extra`` under ``<format>.<field>``, and a
``RecordWarning`` naming the record and the field follows the entry. Only a bad hash, or a
record with no hash at all, costs the record (a ``RecordError``).

Readers take ``category_scheme``: the scheme (``interlink.domain.categories.SCHEMES``) a bare
category code means when the file does not say. Formats whose categories are never bare codes
ignore it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry


@dataclass(frozen=True, slots=True)
class RecordError:
    """One record that could not be read: where it is and why. Nothing of it is kept.

    ``position`` names the record in the file's own terms: ``line 12`` for CSV, a JSON path
    such as ``$.value[0].Media[17]``, or an XML path such as ``queryResult/images/image[3]``.
    ``fatal`` is true for the last record of a stream that could not be read further.
    """

    position: str
    reason: str
    fatal: bool = False

    def display(self) -> str:
        """``position: reason``."""
        return f"{self.position}: {self.reason}"

    def as_error(self) -> FormatError:
        """The same failure as an exception, for callers that stop at the first one."""
        return FormatError(self.reason, self.position)


@dataclass(frozen=True, slots=True)
class RecordWarning:
    """Part of a record that could not be read: the record was kept without it.

    ``position`` names the record as ``RecordError`` does; ``field`` the field in the file's
    own terms (``category``, ``IsDistributed``); ``reason`` says what was wrong. The raw text
    of the field is in the entry's ``extra`` (see the module docstring).
    """

    position: str
    field: str
    reason: str

    def display(self) -> str:
        """``position: reason``."""
        return f"{self.position}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Tombstone:
    """A list says the entry it knows as ``external_id`` is withdrawn.

    ``extra`` holds what the list said with the deletion (who, when), as text pairs.
    """

    external_id: str
    media_kind: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ListInfo:
    """What a file says about the list as a whole (format version, profile, paging, ...)."""

    items: tuple[tuple[str, str], ...]

    def get(self, key: str) -> str | None:
        """The value of ``key``, if the file gave one."""
        for name, value in self.items:
            if name == key:
                return value
        return None


#: Everything a hash-set reader yields.
ListRecord = ListEntry | Tombstone | ListInfo | RecordError | RecordWarning


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What a writer wrote: ``written`` entries; ``skipped`` entries the format cannot hold at
    all (no signal it has a column for); ``dropped`` signals or categories left out of entries
    that were written, because the format has no place for them."""

    written: int = 0
    skipped: int = 0
    dropped: int = 0


class ListReader(Protocol):
    """Reads one hash-set format."""

    def __call__(
        self, stream: BinaryIO, *, category_scheme: str | None = None
    ) -> Iterator[ListRecord]:
        """Every record of ``stream`` in file order; see the module docstring for the contract."""
        ...


class ListWriter(Protocol):
    """Writes one hash-set format."""

    def __call__(self, entries: Iterable[ListEntry], stream: BinaryIO) -> WriteReport:
        """Write ``entries`` to ``stream`` (binary, UTF-8) and say what was written."""
        ...
