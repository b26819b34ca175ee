"""Known-material lists: import a file into a named list, show and compare lists."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from interlink.adapters.sql.lists import StoredList
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import FormatError
from interlink.domain.lists import HashList, ListEntry
from interlink.formats import hashcsv
from interlink.services.cases import after_list_import
from interlink.signals import pdq

Reader = Callable[[BinaryIO], Iterator[ListEntry | FormatError]]
READERS: dict[str, Reader] = {hashcsv.NAME: hashcsv.read}
DETECTORS: tuple[tuple[str, Callable[[bytes], bool]], ...] = ((hashcsv.NAME, hashcsv.detect),)
#: Errors kept in an import result (the count is always exact).
MAX_ERRORS_KEPT = 1000


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did: the list, entries stored, and every bad record (up to a limit)."""

    list_name: str
    format: str
    entries: int
    replaced: int
    error_count: int
    errors: tuple[FormatError, ...] = field(default=())


def detect_format(path: Path) -> str:
    """The format of a list file, from its first bytes."""
    with path.open("rb") as handle:
        head = handle.read(64 << 10)
    for name, looks_like in DETECTORS:
        if looks_like(head):
            return name
    raise FormatError(f"cannot tell the format of {path.name}; give --format", str(path))


def import_list(
    store: SqlStore,
    path: Path,
    *,
    name: str | None = None,
    fmt: str = "auto",
    version: str = "",
    pdq_threshold: int = pdq.THRESHOLD,
    actor: str = "local",
) -> ImportResult:
    """Read ``path`` into the list ``name`` (default: the file's stem).

    Importing into an existing list replaces its entries with the file's, in one transaction:
    importing the same file twice leaves the same list. Bad records are counted and kept in
    the result, never stored; every good record is.
    """
    fmt = detect_format(path) if fmt == "auto" else fmt
    reader = READERS.get(fmt)
    if reader is None:
        raise FormatError(f"unknown list format {fmt!r} (known: {', '.join(sorted(READERS))})")
    list_name = name or path.stem
    errors: list[FormatError] = []
    error_count = 0

    def good_entries(stream: BinaryIO) -> Iterator[ListEntry]:
        nonlocal error_count
        for record in reader(stream):
            if isinstance(record, FormatError):
                error_count += 1
                if len(errors) < MAX_ERRORS_KEPT:
                    errors.append(record)
            else:
                yield record

    with store.transaction() as tx, path.open("rb") as stream:
        list_id = store.lists.find(tx, list_name)
        replaced = 0
        if list_id is None:
            record = HashList(list_name, str(path), version, datetime.now(UTC))
            list_id = store.lists.create(tx, record, fmt=fmt, pdq_threshold=pdq_threshold)
        else:
            replaced = store.lists.clear(tx, list_id)
            store.lists.touch(tx, list_id, source=str(path), version=version)
        count = store.lists.add_entries(tx, list_id, good_entries(stream))
        store.audit.append(
            tx,
            actor=actor,
            action="list.import",
            object_type="list",
            object_id=list_name,
            before={"entries": replaced} if replaced else None,
            after={"entries": count, "errors": error_count, "source": str(path), "format": fmt},
        )
    after_list_import(store, list_name, actor)
    return ImportResult(list_name, fmt, count, replaced, error_count, tuple(errors))


def show_lists(store: SqlStore) -> list[StoredList]:
    """Every list with its entry count."""
    return store.lists.all()
