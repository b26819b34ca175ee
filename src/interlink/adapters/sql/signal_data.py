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
#: No row is smaller: a page with less room left takes none.
_SMALLEST = 64
#: Small rows a page's rest may pass over (to the tail) before it is left as it is.
_MISSES = 2


def _cell(row: dict[str, Any], pages: Pages) -> int:
    """About the bytes a ``media_signals`` or ``entry_signals`` row takes in a page."""
    variants = row.get("variants") or ()
    data = row.get("data") or b""
    return (
        pages.overhead
        + len(row.get("sha256") or "")
        + len(row["type"])
        + len(row["value"])
        + len(data)
        + sum(len(v) + 3 for v in variants)
    )


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
    sized = [(_cell(row, pages), row) for row in rows]
    large = [(size, row) for size, row in sized if size > LARGE]
    if not large:
        return rows
    small = [(size, row) for size, row in sized if size <= LARGE]
    ordered: list[dict[str, Any]] = []
    tail: list[dict[str, Any]] = []  # small rows passed over: after everything
    at = 0  # the next small row

    def fill(room: int) -> None:
        """Small rows in turn into ``room``: one that does not fit goes to the tail, up to
        ``_MISSES`` of them a page (linear in the rows whatever their sizes)."""
        nonlocal at
        misses = 0
        while at < len(small) and room >= _SMALLEST and misses < _MISSES:
            size, row = small[at]
            at += 1
            if size <= room:
                ordered.append(row)
                room -= size
            else:
                tail.append(row)
                misses += 1

    room = pages.room
    for size, row in large:
        if size > room:  # the page is full of large rows: small ones in its rest
            fill(room)
            room = pages.room
        ordered.append(row)
        room -= size
    fill(room)
    return ordered + tail + [row for _, row in small[at:]]
