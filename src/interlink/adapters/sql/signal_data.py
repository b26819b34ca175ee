"""Signal values as the signal tables store them (migration 0023): as text in ``value``, but an
ORB value as bytes in ``data`` (``signals.orb_bytes``, 1,680 bytes instead of 2,313 characters)
with ``value`` empty. An ORB value that has no such form (``orb_bytes.pack`` gives ``None``)
stays text, ``data`` ``NULL``. Whoever reads a signal row's value for any type it may hold of
ORB reads ``data`` too and passes both through ``value_of``."""

from __future__ import annotations

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


#: Bytes of a SQLite page (the default, 4 KB) that its cells may take, and a cell that large
#: rows are: two of them fill most of a page.
PAGE = 4096 - 8
LARGE = PAGE // 4


def _cell(row: dict[str, Any]) -> int:
    """About the bytes a signal row takes in a page (SQLite's record, generously)."""
    size = 24  # the record header, the cell's length and rowid, its pointer
    for value in row.values():
        if isinstance(value, str | bytes):
            size += len(value)
        elif isinstance(value, list):
            size += sum(len(str(v)) + 3 for v in value) + 2
    return size


def page_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A batch's signal rows in an order that fills SQLite's pages: its large rows (stored ORB
    values, ~1.7 KB) two at a time, each pair followed by the small rows that fit the rest of
    a page. A page takes whole rows in rowid order, so two ORB rows of neighbouring media
    with each one's small rows between them (~1 KB) overfill it, and every image took a page
    of its own; ordered so, every window of a pair and a group fits one page, whatever row
    the page starts at (measured: ``bench.orb_storage``). PostgreSQL places rows wherever
    they fit and is served by any order."""
    large = [row for row in rows if _cell(row) > LARGE]
    if not large:
        return rows
    small = [row for row in rows if _cell(row) <= LARGE]
    ordered: list[dict[str, Any]] = []
    for start in range(0, len(large), 2):
        pair = large[start : start + 2]
        ordered += pair
        room = PAGE - sum(_cell(row) for row in pair)
        left: list[dict[str, Any]] = []
        for row in small:
            if _cell(row) <= room:
                ordered.append(row)
                room -= _cell(row)
            else:
                left.append(row)
        small = left
    return ordered + small
