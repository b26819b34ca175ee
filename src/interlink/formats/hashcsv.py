"""The simple known-hash CSV: a header row naming any of ``md5``, ``sha1``, ``sha256``, ``pdq``
(and ``photodna``, and ``orb``: Interlink's features that survive crops and turns), plus
optional ``category``, ``category_scheme``, ``series``, ``victim_identified``,
``offender_identified``, ``distributed`` and ``id``.

``category`` is ``scheme:code`` (e.g. ``uk:A``), or a bare code (``1``) of the scheme the
``category_scheme`` column names, else of the scheme the caller gives (``category_scheme``).
A UTF-8 BOM, upper-case hex and ``;`` or tab delimiters are accepted. A row with a bad hash, or
none, is yielded as a ``FormatError`` naming its line, and reading goes on. A row whose hashes
are good is always kept: an optional field that cannot be read (a bare category code and no
scheme, a flag that is not yes/no, a quality that is not a number) is left out, its raw text kept
in ``extra`` as ``csv.<column>``, and a ``RecordWarning`` for the line and column follows the
entry.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from interlink.domain.categories import Category, read_category
from interlink.domain.errors import FormatError, InterlinkError
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats._salvage import Salvage, extra_key, kept
from interlink.formats.base import RecordWarning
from interlink.signals import registry

NAME = "csv"
SIGNAL_COLUMNS = ("md5", "sha1", "sha256", "pdq", "photodna", "orb")
FLAG_COLUMNS = ("victim_identified", "offender_identified", "distributed")
OTHER_COLUMNS = ("category", "category_scheme", "series", "id", "pdq_quality")
#: Where an entry keeps a category it could not read, to write it back as it came.
CATEGORY_KEY = extra_key(NAME, "category")
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


def read(
    stream: BinaryIO, *, category_scheme: str | None = None
) -> Iterator[ListEntry | RecordWarning | FormatError]:
    """Entries of the CSV, one per data row, each followed by a ``RecordWarning`` per optional
    field that could not be read; a ``FormatError`` for each row that cannot be kept.

    ``category_scheme`` is what a bare category code means on rows without a
    ``category_scheme`` column. The stream stays open: it is the caller's.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        yield from _read_text(text, category_scheme)
    finally:
        text.detach()


def _read_text(
    text: io.TextIOWrapper, category_scheme: str | None
) -> Iterator[ListEntry | RecordWarning | FormatError]:
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
            salvage = Salvage()
            try:
                entry = _entry(dict(zip(header, row, strict=False)), category_scheme, salvage)
            except (InterlinkError, ValueError) as exc:
                yield FormatError(str(exc), f"line {line}")
                continue
            yield from kept(entry, salvage.failures, f"line {line}", NAME)
    except (csv.Error, UnicodeDecodeError) as exc:
        yield FormatError(f"unreadable CSV: {exc}", f"line {rows.line_num}")


def _chain(sample: str, rest: io.TextIOWrapper) -> Iterator[str]:
    buffered = io.StringIO(sample + rest.readline())
    yield from buffered
    yield from rest


def _entry(row: dict[str, str], category_scheme: str | None, salvage: Salvage) -> ListEntry:
    signals: list[Signal] = []
    for column in SIGNAL_COLUMNS:
        value = (row.get(column) or "").strip()
        if value:
            quality = None
            if column == "pdq":
                quality = salvage.read(_quality, row.get("pdq_quality"), "pdq_quality")
            signals.append(Signal(column, registry.normalise(column, value), quality))
    if not signals:
        raise ValueError("no hash in this row")
    flags = [salvage.read(_flag, row.get(name), name) for name in FLAG_COLUMNS]
    return ListEntry(
        signals=tuple(signals),
        category=_category(row, category_scheme, salvage),
        series=(row.get("series") or "").strip() or None,
        victim_identified=flags[0],
        offender_identified=flags[1],
        distributed=flags[2],
        external_id=(row.get("id") or "").strip() or None,
    )


def _category(row: dict[str, str], default: str | None, salvage: Salvage) -> Category | None:
    code = (row.get("category") or "").strip()
    if not code:
        return None
    scheme = (row.get("category_scheme") or "").strip() or default
    if scheme is None and ":" not in code:
        salvage.note(
            "category",
            f"category: {code!r} is a bare code and no scheme says what it means "
            "(add a category_scheme column, or give --category-scheme)",
            code,
        )
        return None
    try:
        return read_category(code, scheme)
    except InterlinkError as exc:
        salvage.note("category", f"category: {exc}", code)
        return None


def _quality(value: object, field: str) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise FormatError(f"{field}: not a whole number: {text!r}") from None


def _flag(value: object, field: str) -> bool | None:
    try:
        return parse_flag(str(value or ""))
    except ValueError as exc:
        raise FormatError(f"{field}: {exc}") from None


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
        raw = dict(entry.extra)
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
                entry.category.display() if entry.category else raw.get(CATEGORY_KEY, ""),
                entry.series or "",
                *flags,
            ]
        )
        count += 1
    return count
