"""The interchange formats this installation reads and writes, by name.

Each format is a value: its name (what ``--format`` takes), a reader of ``ListRecord``s and,
when the format is written too, a writer of ``ListEntry``s. The table is a literal tuple.
The simple CSV (``interlink.formats.hashcsv``) yields ``FormatError`` values for bad rows; its
entry here adapts them to ``RecordError`` so every reader keeps one contract. Readers of formats
whose categories are never bare codes (ICSE, HMA, vPDQ) are registered through ``no_codes``,
which takes ``category_scheme`` and leaves it unused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import BinaryIO

from interlink.domain.errors import ConfigurationError, FormatError
from interlink.domain.lists import ListEntry
from interlink.formats import hashcsv
from interlink.formats.base import ListReader, ListRecord, ListWriter, RecordError, WriteReport
from interlink.formats.hma import read_hma, write_hma
from interlink.formats.icse import read_icse, write_icse
from interlink.formats.ncmec import read_ncmec
from interlink.formats.vics import read_vics_entries, write_vics_hashset
from interlink.formats.vpdq import read_list as read_vpdq_list


@dataclass(frozen=True, slots=True)
class Format:
    """A named interchange format: how to read it and, if it can be, write it."""

    name: str
    description: str
    read: ListReader
    write: ListWriter | None = None


def read_simple_csv(
    stream: BinaryIO, *, category_scheme: str | None = None
) -> Iterator[ListRecord]:
    """``hashcsv.read`` with its bad rows as ``RecordError`` records."""
    for record in hashcsv.read(stream, category_scheme=category_scheme):
        if isinstance(record, FormatError):
            yield RecordError(record.position or "", record.reason)
        else:
            yield record


def no_codes(read: Callable[[BinaryIO], Iterator[ListRecord]]) -> ListReader:
    """``read`` as a ``ListReader``, for a format whose categories are never bare codes: a
    ``category_scheme`` has nothing to apply to."""

    def reader(stream: BinaryIO, *, category_scheme: str | None = None) -> Iterator[ListRecord]:
        return read(stream)

    reader.__doc__ = read.__doc__
    return reader


def write_simple_csv(entries: Iterable[ListEntry], stream: BinaryIO) -> WriteReport:
    """``hashcsv.write``, reporting what it wrote."""
    return WriteReport(written=hashcsv.write(entries, stream))


BUILTINS: tuple[Format, ...] = (
    Format(
        hashcsv.NAME, "simple hash CSV (md5,sha1,sha256,pdq,...)", read_simple_csv, write_simple_csv
    ),
    Format("vics", "Project VIC VICS JSON 1.1-1.3 and 2.0", read_vics_entries, write_vics_hashset),
    Format("icse", "Interpol ICSE hash export", no_codes(read_icse), write_icse),
    Format("ncmec", "NCMEC hash-sharing v2 XML", read_ncmec),
    Format("hma", "Meta HMA / ThreatExchange signal CSV", no_codes(read_hma), write_hma),
    Format("vpdq", "Meta vPDQ feature file of one known video", no_codes(read_vpdq_list)),
)


def build(formats: tuple[Format, ...]) -> Mapping[str, Format]:
    """A frozen name -> format table; ``ConfigurationError`` on a duplicate name."""
    table: dict[str, Format] = {}
    for item in formats:
        if item.name in table:
            raise ConfigurationError(f"format {item.name!r} is registered twice")
        table[item.name] = item
    return MappingProxyType(table)


FORMATS: Mapping[str, Format] = build(BUILTINS)


def get(name: str) -> Format:
    """The format called ``name``; ``ConfigurationError`` if there is none."""
    try:
        return FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise ConfigurationError(f"unknown format {name!r} (known: {known})") from None
