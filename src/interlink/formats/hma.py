"""Meta HMA / ThreatExchange signal CSV: one signal per row, read and written.

Schema followed. ``python-threatexchange`` writes signal files with
``threatexchange dataset --print-signals --csv``: a header ``collab,signal_type,signal_str,
category,tags`` (category is the opinion, ``POSITIVE_CLASS`` and so on; tags are separated by
spaces). The older HMA sample files (``hasher-matcher-actioner/sample_data/pdq.csv``) have no
header and one signal type per file: ``value,id,timestamp,tags``; read those by passing the
file's ``signal_type``. Signal type names are python-threatexchange's: ``pdq``, ``video_md5``,
``photodna``, ``sha256``, ``md5``; a name registered in Interlink (``vpdq``, say, once
installed) is read as that type; any other is a ``RecordError`` for its row.

HMA's model is signal-centred, so every row is its own ``ListEntry`` and the writer writes one
row per signal of an entry. ``collab`` becomes ``extra`` ``collab`` (the sharing agency),
``category`` ``opinion``, ``tags`` ``tags``; the legacy ``id`` is the entry's ``external_id``.
A row whose signal is good is always kept: an optional column that cannot be read (a timestamp
that is not a time, an overlong id) is left out, its raw text kept in ``extra`` as
``hma.<column>``, with a ``RecordWarning`` for the line and column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.formats import _values as v
from interlink.formats._csv import Row, header_key, rows
from interlink.formats._salvage import Salvage, kept
from interlink.formats.base import ListRecord, RecordError, WriteReport
from interlink.signals import registry

#: The header ``threatexchange dataset --csv`` writes.
COLUMNS = ("collab", "signal_type", "signal_str", "category", "tags")
#: python-threatexchange signal type -> (Interlink signal type, media kind).
SIGNAL_TYPES: dict[str, tuple[str, str | None]] = {
    "pdq": ("pdq", "image"),
    "photodna": ("photodna", "image"),
    "video_md5": ("md5", "video"),
    "md5": ("md5", None),
    "sha256": ("sha256", None),
}
_VALUE_COLUMNS = ("signal_str", "signal", "signal_value", "value", "hash")
_LEGACY_COLUMNS = ("value", "id", "timestamp", "tags")


def read_hma(stream: BinaryIO, *, signal_type: str | None = None) -> Iterator[ListRecord]:
    """Every signal of an HMA/ThreatExchange CSV as a one-signal ``ListEntry``.

    Without ``signal_type`` the file needs a header naming ``signal_type`` and the value
    column; with it, a headerless legacy file (``value,id,timestamp,tags``) reads too.
    """
    columns: list[str] | None = None
    for row in rows(stream, delimiter=","):
        if isinstance(row, RecordError):
            yield row
            if row.fatal:
                return
            continue
        if columns is None:
            keys = [header_key(name) for name in row.fields]
            if "signal_type" in keys or any(name in keys for name in _VALUE_COLUMNS[:3]):
                columns = keys
                continue
            if signal_type is None:
                yield RecordError(
                    f"line {row.line}",
                    "no header, and no signal type given for the file",
                    fatal=True,
                )
                return
            columns = list(_LEGACY_COLUMNS)
        salvage = Salvage()
        try:
            entry = _entry(columns, row, signal_type, salvage)
        except FormatError as exc:
            yield RecordError(f"line {row.line}", exc.reason)
            continue
        yield from kept(entry, salvage.failures, f"line {row.line}", "hma")


def _entry(columns: list[str], row: Row, default_type: str | None, salvage: Salvage) -> ListEntry:
    if len(row.fields) > len(columns):
        raise FormatError(f"{len(row.fields)} fields where the header has {len(columns)}")
    fields = {name: raw.strip() for name, raw in zip(columns, row.fields, strict=False)}
    type_name = fields.get("signal_type") or default_type
    if not type_name:
        raise FormatError("signal_type: missing")
    signal_type, kind = _signal_type(type_name)
    value = next((fields[name] for name in _VALUE_COLUMNS if fields.get(name)), None)
    found = v.signal(signal_type, value, "signal_str")
    if found is None:
        raise FormatError("signal_str: missing")
    extra: list[tuple[str, str]] = []
    for key, column in (("collab", "collab"), ("opinion", "category"), ("tags", "tags")):
        text = salvage.text(fields.get(column), column)
        if text is not None:
            extra.append((key, " ".join(text.split()) if key == "tags" else text))
    updated = salvage.time(fields.get("timestamp"), "timestamp")
    if updated is not None:
        extra.append(("updated", v.format_time(updated)))
    known = {"signal_type", "id", "timestamp", "collab", "category", "tags", *_VALUE_COLUMNS}
    for name, text in fields.items():
        if name not in known and text:
            extra.append((f"hma.{name}", text))
    return ListEntry(
        signals=(found,),
        external_id=salvage.text(fields.get("id"), "id", 256),
        media_kind=kind,
        extra=tuple(sorted(extra)),
    )


def _signal_type(name: str) -> tuple[str, str | None]:
    key = name.strip().lower()
    if key in SIGNAL_TYPES:
        return SIGNAL_TYPES[key]
    if key in registry.registry():
        return key, None
    raise FormatError(f"signal_type: {name!r} is not a signal type Interlink knows")


def write_hma(entries: Iterable[ListEntry], stream: BinaryIO) -> WriteReport:
    """Write every signal of ``entries`` as a ``threatexchange dataset --csv`` file.

    MD5s of videos are written as ``video_md5``; every other signal under its Interlink name.
    An entry's ``collab``, ``opinion`` and ``tags`` go with each of its signals. The format
    has no place for a category, series or flags: an entry that has any counts as ``dropped``.
    """
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(COLUMNS)
    written = skipped = dropped = 0
    for entry in entries:
        if not entry.signals:
            skipped += 1
            continue
        if entry.category or entry.series or entry.victim_identified is not None:
            dropped += 1
        extra = dict(entry.extra)
        for signal in entry.signals:
            name = signal.type
            if name == "md5" and entry.media_kind == "video":
                name = "video_md5"
            writer.writerow(
                [
                    extra.get("collab", ""),
                    name,
                    signal.value,
                    extra.get("opinion", ""),
                    extra.get("tags", ""),
                ]
            )
        written += 1
    text.flush()
    text.detach()
    return WriteReport(written, skipped, dropped)
