"""Delimited-text plumbing shared by the CSV readers: rows with their line numbers.

The delimiter is told from the first line (exports use ``;``, ``,`` or tabs depending on the
tool and the locale). A line over ``MAX_LINE_BYTES`` or a field over the ``csv`` module's
field limit becomes a ``RecordError`` for that line, and reading goes on with the next.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from interlink.formats._text import text_lines
from interlink.formats.base import RecordError

MAX_LINE_BYTES = 1 << 20
DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True, slots=True)
class Row:
    """One record of a delimited file and the line it ends on (1-based)."""

    line: int
    fields: list[str]


class _Lines:
    """The lines of a stream, counting them; an overlong line stands as an empty line whose
    number is remembered."""

    def __init__(self, stream: BinaryIO) -> None:
        self._lines = text_lines(stream, MAX_LINE_BYTES)
        self.count = 0
        self.too_long: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        if line is None:
            self.too_long.add(self.count)
            return "\n"
        return line


def sniff_delimiter(line: str, candidates: Sequence[str] = DELIMITERS) -> str:
    """The candidate that splits ``line`` into the most fields (the first on a tie)."""
    return max(
        candidates, key=lambda delimiter: (line.count(delimiter), -candidates.index(delimiter))
    )


def rows(stream: BinaryIO, delimiter: str | None = None) -> Iterator[Row | RecordError]:
    """Every non-blank record of ``stream`` (any Unicode form), the header included.

    ``delimiter`` is told from the first non-blank line when not given.
    """
    lines = _Lines(stream)
    first = ""
    for text in lines:
        if text.strip():
            first = text
            break
        if lines.too_long:
            yield RecordError(f"line {lines.count}", "the first line is too long", fatal=True)
            return
    if not first:
        return
    skipped = lines.count - 1
    chosen = delimiter or sniff_delimiter(first)
    reader = csv.reader(_chain(first, lines), delimiter=chosen)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RecordError(f"line {reader.line_num + skipped}", f"not a CSV record: {exc}")
            continue
        line = reader.line_num + skipped
        if line in lines.too_long:
            lines.too_long.discard(line)
            yield RecordError(f"line {line}", f"longer than {MAX_LINE_BYTES} bytes")
            continue
        if any(field.strip() for field in fields):
            yield Row(line, fields)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def header_key(name: str) -> str:
    """A header cell compared loosely: lower case, single spaces, no surrounding space."""
    return " ".join(name.replace("\ufeff", "").split()).lower()
