"""The simple known-hash CSV: a header row naming any of ``md5``, ``sha1``, ``sha256``, ``pdq``
(and ``photodna``, and ``orb``: Interlink's features that survive crops and turns), plus
optional ``category``, ``category_scheme``, ``series``, ``victim_identified``,
``offender_identified``, ``distributed`` and ``id``.

``category`` is ``scheme:code`` (e.g. ``uk:A``); a bare code needs a ``category_scheme`` column.
A UTF-8 BOM, upper-case hex and ``;`` or tab delimiters are accepted. A bad row is yielded as a
``FormatError`` naming its line, and reading goes on.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from interlink.domain.categories import Category
from interlink.domain.errors import FormatError, InterlinkError
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.signals import registry

NAME = "csv"
SIGNAL_COLUMNS = ("md5", "sha1", "sha256", "pdq", "photodna", "orb")
FLAG_COLUMNS = ("victim_identified", "offender_identified", "distributed")
OTHER_COLUMNS = ("category", "category_scheme", "series", "id", "pdq_quality")
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "f"})


def parse_flag(text: str) -> bool | None:
    """``True``/``False`` from the usual spellings; ``None`` when blank."""
    value = text.strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


def detect(head: bytes) -> bool:
    """Whether ``head`` looks like this format (a header naming a hash column)."""
    first = head.decode("utf-8", "replace").lstrip("\ufeff").splitlines()[:1]
    if not first:
        return False
    names = {c.strip().strip('"').lower() for c in first[0].replace(";", ",").split(",")}
    return bool(names & set(SIGNAL_COLUMNS))


def read(stream: BinaryIO) -> Iterator[ListEntry | FormatError]:
    """Entries of the CSV, one per data row, or a ``FormatError`` for each bad row.

    The stream stays open: it is the caller's.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        yield from _read_text(text)
    finally:
        text.detach()


def _read_text(text: io.TextIOWrapper) -> Iterator[ListEntry | FormatError]:
    try:
        sample = text.read(4096)
    except UnicodeDecodeError as exc:
        yield FormatError(f"not UTF-8 text: {exc}", "line 1")
        return
    delimiter = max((",", ";", "\t"), key=lambda d: sample.split("\n", 1)[0].count(d))
    rows = csv.reader(_chain(sample, text), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(rows)]
    except StopIteration:
        yield FormatError("empty file", "line 1")
        return
    if not set(header) & set(SIGNAL_COLUMNS):
        yield FormatError(f"no hash column in the header (want any of {SIGNAL_COLUMNS})", "line 1")
        return
    try:
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            try:
                yield _entry(dict(zip(header, row, strict=False)))
            except (InterlinkError, ValueError) as exc:
                yield FormatError(str(exc), f"line {line}")
    except (csv.Error, UnicodeDecodeError) as exc:
        yield FormatError(f"unreadable CSV: {exc}", f"line {rows.line_num}")


def _chain(sample: str, rest: io.TextIOWrapper) -> Iterator[str]:
    buffered = io.StringIO(sample + rest.readline())
    yield from buffered
    yield from rest


def _entry(row: dict[str, str]) -> ListEntry:
    signals: list[Signal] = []
    for column in SIGNAL_COLUMNS:
        value = (row.get(column) or "").strip()
        if value:
            quality = None
            if column == "pdq" and (row.get("pdq_quality") or "").strip():
                quality = int(row["pdq_quality"])
            signals.append(Signal(column, registry.normalise(column, value), quality))
    if not signals:
        raise ValueError("no hash in this row")
    category = None
    code = (row.get("category") or "").strip()
    if code:
        scheme = (row.get("category_scheme") or "").strip().lower()
        category = Category(scheme, code) if scheme else Category.parse(code)
    return ListEntry(
        signals=tuple(signals),
        category=category,
        series=(row.get("series") or "").strip() or None,
        victim_identified=parse_flag(row.get("victim_identified") or ""),
        offender_identified=parse_flag(row.get("offender_identified") or ""),
        distributed=parse_flag(row.get("distributed") or ""),
        external_id=(row.get("id") or "").strip() or None,
    )


def write(entries: Iterable[ListEntry], stream: BinaryIO) -> int:
    """Write entries as this CSV (UTF-8, comma-separated); return how many."""
    writer_stream = codecs.getwriter("utf-8")(stream)
    # CRLF as RFC 4180 says: it also makes the writer quote fields holding a lone CR.
    writer = csv.writer(writer_stream, lineterminator="\r\n")
    columns = ("id", *SIGNAL_COLUMNS, "pdq_quality", "category", "series", *FLAG_COLUMNS)
    writer.writerow(columns)
    count = 0
    for entry in entries:
        values = {s.type: s.value for s in entry.signals if s.type in SIGNAL_COLUMNS}
        quality = next((s.quality for s in entry.signals if s.type == "pdq"), None)
        flags = [
            "" if flag is None else str(flag).lower()
            for flag in (entry.victim_identified, entry.offender_identified, entry.distributed)
        ]
        writer.writerow(
            [
                entry.external_id or "",
                *(values.get(c, "") for c in SIGNAL_COLUMNS),
                "" if quality is None else quality,
                entry.category.display() if entry.category else "",
                entry.series or "",
                *flags,
            ]
        )
        count += 1
    return count
