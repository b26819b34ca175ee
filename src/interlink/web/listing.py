"""A page's table of rows: filtered by a typed text, sorted by a column either way, and cut
into pages by an opaque cursor (the position after the last row shown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from interlink.api.pagination import decode, encode
from interlink.domain.errors import InvalidFieldError

#: Rows a page shows.
PAGE_ROWS = 50


@dataclass(frozen=True, slots=True)
class Table:
    """One page of rows with what the page needs to link the others."""

    rows: list[dict[str, Any]]
    total: int
    sort: str
    descending: bool
    query: str
    next_cursor: str | None


def _key(value: object) -> tuple[int, str]:
    # None sorts last; numbers as zero-padded text so they order numerically.
    if value is None:
        return (1, "")
    if isinstance(value, bool | int | float):
        return (0, f"{float(value):020.6f}")
    return (0, str(value).casefold())


def table(
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[str],
    sort: str | None,
    query: str | None,
    cursor: str | None,
    limit: int = PAGE_ROWS,
) -> Table:
    """The page of ``rows`` after ``cursor`` whose ``columns`` contain ``query`` (any case),
    sorted by ``sort`` (a column, ``-`` before it for descending; default the first)."""
    wanted = (sort or columns[0]).strip()
    descending = wanted.startswith("-")
    column = wanted.lstrip("-")
    if column not in columns:
        raise InvalidFieldError("sort", wanted, f"sort by one of {', '.join(columns)}")
    text = (query or "").strip().casefold()
    kept = [
        dict(r)
        for r in rows
        if not text or any(text in str(r.get(c) or "").casefold() for c in columns)
    ]
    kept.sort(key=lambda r: _key(r.get(column)), reverse=descending)
    start = decode(cursor) or 0
    if not isinstance(start, int) or start < 0:
        raise InvalidFieldError("cursor", str(cursor)[:40], "not a cursor of this listing")
    shown = kept[start : start + limit]
    after = start + len(shown)
    return Table(
        shown,
        len(kept),
        column,
        descending,
        query or "",
        encode(after) if after < len(kept) else None,
    )
