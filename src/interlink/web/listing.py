"""A page's table of rows: filtered by a typed text, sorted by a column either way, and cut
into pages by an opaque cursor (the position after the last row shown)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from interlink.api.pagination import encode, position
from interlink.domain.errors import InvalidFieldError

#: Rows a page shows.
PAGE_ROWS = 50
Text = Annotated[str | None, Query(max_length=200)]
Cursor = Annotated[str | None, Query(max_length=500)]


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a page's list was asked for: ``sort`` (a column, ``-`` before it for descending),
    the filter text ``query`` and the ``cursor`` of the page."""

    sort: str | None = None
    query: str | None = None
    cursor: str | None = None


def list_query(sort: Text = None, q: Text = None, cursor: Cursor = None) -> ListQuery:
    """A page's ``?sort=&q=&cursor=``."""
    return ListQuery(sort, q, cursor)


#: The list parameters of a page route.
Listing = Annotated[ListQuery, Depends(list_query)]


@dataclass(frozen=True, slots=True)
class Table:
    """One page of rows with what the page needs to link the others."""

    rows: list[dict[str, Any]]
    total: int
    sort: str
    descending: bool
    query: str
    next_cursor: str | None


def _key(value: object) -> tuple[int, float, str]:
    # Numbers before text, each in its own order (negative numbers too); None sorts last.
    if value is None:
        return (2, 0.0, "")
    if isinstance(value, bool | int | float):
        return (0, float(value), "")
    return (1, 0.0, str(value).casefold())


def table(
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[str],
    listing: ListQuery,
    default_sort: str | None = None,
    limit: int = PAGE_ROWS,
) -> Table:
    """The page of ``rows`` after the listing's cursor whose ``columns`` contain its query
    (any case), sorted by its sort (a column, ``-`` before it for descending; default
    ``default_sort``, else the first column)."""
    sort, query, cursor = listing.sort, listing.query, listing.cursor
    wanted = (sort or default_sort or columns[0]).strip()
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
    start = position(cursor)
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
