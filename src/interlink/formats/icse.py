"""Interpol ICSE hash export: semicolon-separated values with a header, read and written.

Schema followed. Interpol does not publish the ICSE export format; this module follows the
column list of the export as agencies exchange it (Interlink issue 4)::

    MD5;SHA1;ZZ40;PhotoDNA;Lace;Image ID;Is distributed;Victim identified;
    Offender identified;Series name;Investigation name;Agency;Number of submissions;
    File Available;Media Type;Baseline

Columns are found by header name (any order, any case; ``;``, ``,`` or tab separated), so a
file with fewer columns or extra ones reads too; unknown columns are kept in ``extra`` as
``icse.<header>``. ``ZZ40`` and ``Lace`` are opaque vendor hashes (``interlink.signals.zz40``
and ``.lace``). ``Image ID`` is the stable id of an entry (``external_id``). ``Baseline`` becomes
the ``icse-baseline`` category. Flags accept yes/no, true/false and 1/0; the writer writes
``Yes``/``No`` (the spelling is not published either).

A row with an invalid hash, or none, is a ``RecordError`` for its line; the rows around it are
read as usual. A row whose hashes are good is always kept: a flag that is not yes/no, a count
that is not a number or an overlong text is left out, its raw text kept in ``extra`` as
``icse.<column>`` (``icse.baseline``), with a ``RecordWarning`` for the line and column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from interlink.domain.categories import Category
from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.formats import _values as v
from interlink.formats._csv import Row, header_key, rows
from interlink.formats._salvage import Salvage, kept
from interlink.formats.base import ListRecord, RecordError, WriteReport

#: The header of an ICSE export, in order.
COLUMNS = (
    "MD5",
    "SHA1",
    "ZZ40",
    "PhotoDNA",
    "Lace",
    "Image ID",
    "Is distributed",
    "Victim identified",
    "Offender identified",
    "Series name",
    "Investigation name",
    "Agency",
    "Number of submissions",
    "File Available",
    "Media Type",
    "Baseline",
)
#: Hash columns and the signal type each holds.
SIGNAL_COLUMNS = {
    "md5": "md5",
    "sha1": "sha1",
    "zz40": "zz40",
    "photodna": "photodna",
    "lace": "lace",
}
_FIELDS = {
    "image id": "image_id",
    "is distributed": "distributed",
    "victim identified": "victim",
    "offender identified": "offender",
    "series name": "series",
    "investigation name": "investigation",
    "agency": "agency",
    "number of submissions": "submissions",
    "file available": "file_available",
    "media type": "media_type",
    "baseline": "baseline",
}
_BASELINE = {
    True: Category("icse-baseline", "baseline"),
    False: Category("icse-baseline", "not-baseline"),
}


def read_icse(stream: BinaryIO) -> Iterator[ListRecord]:
    """Every entry of an ICSE export; a ``RecordError`` for each line that cannot be kept."""
    plan: _Plan | None = None
    for row in rows(stream):
        if isinstance(row, RecordError):
            yield row
            if row.fatal:
                return
            continue
        if plan is None:
            plan = _Plan([header_key(name) for name in row.fields])
            if not plan.hashes:
                yield RecordError(f"line {row.line}", "no hash column in the header", fatal=True)
                return
            continue
        salvage = Salvage()
        try:
            entry = plan.entry(row, salvage)
        except FormatError as exc:
            yield RecordError(f"line {row.line}", exc.reason)
            continue
        yield from kept(entry, salvage.failures, f"line {row.line}", "icse")


class _Plan:
    """Where each field of a row goes, worked out once from the header."""

    def __init__(self, columns: list[str]) -> None:
        self.width = len(columns)
        # Hash columns in signal-type order, so distinct types come out already canonical.
        self.hashes = sorted(
            (
                (SIGNAL_COLUMNS[name], index)
                for index, name in enumerate(columns)
                if name in SIGNAL_COLUMNS
            )
        )
        self.single = len({signal_type for signal_type, _ in self.hashes}) == len(self.hashes)
        self.fields = {
            _FIELDS[name]: index for index, name in enumerate(columns) if name in _FIELDS
        }
        self.others = [
            (f"icse.{name}", index)
            for index, name in enumerate(columns)
            if name not in SIGNAL_COLUMNS and name not in _FIELDS
        ]

    def entry(self, row: Row, salvage: Salvage) -> ListEntry:
        fields = row.fields
        if len(fields) > self.width:
            raise FormatError(f"{len(fields)} fields where the header has {self.width}")
        count = len(fields)
        signals = [
            v.signal(signal_type, fields[index], signal_type)
            for signal_type, index in self.hashes
            if index < count
        ]
        found = tuple(s for s in signals if s is not None) if self.single else v.signal_set(signals)
        if not found:
            raise FormatError("no hash in the row")
        values = {name: fields[index] for name, index in self.fields.items() if index < count}
        extra = [(key, fields[index].strip()) for key, index in self.others if index < count]
        extra = [(key, text) for key, text in extra if text]
        baseline = salvage.flag(values.get("baseline"), "Baseline")
        submissions = salvage.integer(values.get("submissions"), "Number of submissions")
        available = salvage.flag(values.get("file_available"), "File Available")
        media_type = salvage.text(values.get("media_type"), "Media Type", 64)
        kind = None if media_type is None else media_type.lower()
        if kind not in (None, "image", "video"):
            extra.append(("media_type", media_type or ""))
            kind = None
        for key in ("agency", "investigation"):
            said = salvage.text(values.get(key), key)
            if said is not None:
                extra.append((key, said))
        if submissions is not None:
            extra.append(("submissions", str(submissions)))
        if available is not None:
            extra.append(("file_available", "true" if available else "false"))
        return ListEntry(
            signals=found,
            category=None if baseline is None else _BASELINE[baseline],
            series=salvage.text(values.get("series"), "Series name"),
            victim_identified=salvage.flag(values.get("victim"), "Victim identified"),
            offender_identified=salvage.flag(values.get("offender"), "Offender identified"),
            distributed=salvage.flag(values.get("distributed"), "Is distributed"),
            external_id=salvage.text(values.get("image_id"), "Image ID", 256),
            media_kind=kind,
            extra=tuple(sorted(extra)),
        )


def write_icse(entries: Iterable[ListEntry], stream: BinaryIO) -> WriteReport:
    """Write entries as an ICSE export (UTF-8, ``;``-separated, CRLF line ends).

    An entry with none of the five ICSE hashes is skipped; other signals, and categories
    other than ``icse-baseline``, are dropped.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    written = skipped = dropped = 0
    for entry in entries:
        by_type = {signal.type: signal.value for signal in entry.signals}
        hashes = [by_type.pop(signal_type, "") for signal_type in SIGNAL_COLUMNS.values()]
        if not any(hashes):
            skipped += 1
            continue
        dropped += len(by_type)
        baseline = ""
        if entry.category is not None:
            if entry.category.scheme == "icse-baseline":
                baseline = _yes_no(entry.category.code == "baseline")
            else:
                dropped += 1
        extra = dict(entry.extra)
        kind = entry.media_kind.capitalize() if entry.media_kind else extra.get("media_type", "")
        file_available = extra.get("file_available")
        writer.writerow(
            [
                *hashes,
                entry.external_id or "",
                _yes_no(entry.distributed),
                _yes_no(entry.victim_identified),
                _yes_no(entry.offender_identified),
                entry.series or "",
                extra.get("investigation", ""),
                extra.get("agency", ""),
                extra.get("submissions", ""),
                _yes_no(None if file_available is None else file_available == "true"),
                kind,
                baseline,
            ]
        )
        written += 1
    text.flush()
    text.detach()
    return WriteReport(written, skipped, dropped)


def _yes_no(flag: bool | None) -> str:
    if flag is None:
        return ""
    return "Yes" if flag else "No"
