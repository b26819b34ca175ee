"""Signal values as the signal tables store them (migration 0023): as text in ``value``, but an
ORB value as bytes in ``data`` (``signals.orb_bytes``, 1,680 bytes instead of 2,313 characters)
with ``value`` empty. An ORB value that has no such form (``orb_bytes.pack`` gives ``None``)
stays text, ``data`` ``NULL``. Whoever reads a signal row's value for any type it may hold of
ORB reads ``data`` too and passes both through ``value_of``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interlink.signals import orb, orb_bytes


def stored(signal_type: str, value: str) -> dict[str, Any]:
    """The ``value`` and ``data`` columns of a signal row of ``signal_type`` and ``value``."""
    if signal_type == orb.NAME:
        data = orb_bytes.pack(value)
        if data is not None:
            return {"value": "", "data": data}
    return {"value": value, "data": None}


def value_of(value: str, data: bytes | None) -> str:
    """The signal value of a row's ``value`` and ``data`` columns."""
    return value if data is None else orb_bytes.unpack(data)


@dataclass(frozen=True, slots=True)
class Pages:
    """How a backend lays rows out: the bytes of a page rows may take, and about the bytes a
    row takes beyond its values (header, row id, pointer; generously)."""

    room: int
    overhead: int


#: SQLite's default 4 KB pages (a record header, cell length and rowid, a 2-byte pointer);
#: PostgreSQL's 8 KB (a 24-byte tuple header, the 8-byte id, a 4-byte line pointer, padding).
PAGES = {"sqlite": Pages(4096 - 8, 24), "postgresql": Pages(8192 - 24, 48)}
#: A large row: more than a quarter of a SQLite page.
LARGE = 1024


def _cell(row: dict[str, Any], pages: Pages) -> int:
    """About the bytes a signal row takes in a page."""
    size = pages.overhead
    for value in row.values():
        if isinstance(value, str | bytes):
            size += len(value)
        elif isinstance(value, list):
            size += sum(len(str(v)) + 3 for v in value) + 2
    return size


def page_order(rows: list[dict[str, Any]], backend: str) -> list[dict[str, Any]]:
    """A batch's signal rows in an order that fills the backend's pages: as many large rows
    (stored ORB values, ~1.7 KB) as a page takes, then the small rows that fit the rest of it,
    and so on; the small rows left over last. Both backends fill a page with whole rows in
    the order they come (SQLite in rowid order, PostgreSQL as inserted and as ``VACUUM FULL``
    rewrites): written media by media, two ORB rows and one image's small rows between them
    (~1 KB) overfill a 4 KB page, and on SQLite every image took a page of its own. Ordered so,
    any window of the pattern fits a page whichever row the page starts at (measured:
    ``bench.orb_storage``). An unknown backend gets the rows as they are."""
    pages = PAGES.get(backend)
    if pages is None:
        return rows
    large = [row for row in rows if _cell(row, pages) > LARGE]
    if not large:
        return rows
    small = [row for row in rows if _cell(row, pages) <= LARGE]
    ordered: list[dict[str, Any]] = []
    room = pages.room
    for row in large:
        if _cell(row, pages) > room:  # the page is full of large rows: small ones in its rest
            small = _fill(small, room, pages, ordered)
            room = pages.room
        ordered.append(row)
        room -= _cell(row, pages)
    return ordered + _fill(small, room, pages, ordered)


def _fill(
    small: list[dict[str, Any]], room: int, pages: Pages, ordered: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Append to ``ordered`` the rows of ``small`` that fit ``room`` in turn; return the rest."""
    left: list[dict[str, Any]] = []
    for row in small:
        if _cell(row, pages) <= room:
            ordered.append(row)
            room -= _cell(row, pages)
        else:
            left.append(row)
    return left
