"""Cursor pagination for every listing: an opaque cursor names the last item returned."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from interlink.domain.errors import InvalidFieldError

T = TypeVar("T")
MAX_LIMIT = 1000


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]


class Page(BaseModel, Generic[T]):
    """One page of a listing; ``next_cursor`` is null on the last page."""

    items: list[T]
    next_cursor: str | None = None


def encode(key: object) -> str:
    """The cursor after an item with sort key ``key``."""
    return base64.urlsafe_b64encode(json.dumps(key).encode("utf-8")).decode("ascii")


def next_cursor(after: object) -> str | None:
    """The cursor of the page after the key ``after``; ``None`` (the last page) for ``None``."""
    return None if after is None else encode(after)


def decode(cursor: str | None) -> object:
    """The sort key a cursor names (``None`` for the first page); ``InvalidFieldError``
    naming ``cursor`` if it is not one this server made."""
    if cursor is None:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidFieldError("cursor", cursor[:40], "not a cursor of this listing") from None


def position(cursor: str | None) -> int:
    """The row number (or id) a cursor of a numbered listing names, 0 for the first page;
    ``InvalidFieldError`` naming ``cursor`` if it names anything else."""
    at = decode(cursor) or 0
    if not isinstance(at, int) or isinstance(at, bool) or at < 0:
        raise InvalidFieldError("cursor", str(cursor)[:40], "not a cursor of this listing")
    return at


def text_key(cursor: str | None) -> str | None:
    """The text key a cursor of a listing by text names (``None`` for the first page);
    ``InvalidFieldError`` naming ``cursor`` if it names anything else."""
    after = decode(cursor)
    if after is not None and not isinstance(after, str):
        raise InvalidFieldError("cursor", str(cursor)[:40], "not a cursor of this listing")
    return after


def typed_key(cursor: str | None, *kinds: type) -> list[Any] | None:
    """The key of several parts (a text or an integer each, as ``kinds`` says) a cursor of
    a listing by several columns names (``None`` for the first page); ``InvalidFieldError``
    naming ``cursor`` if it names anything else."""
    after = decode(cursor)
    if after is None:
        return None
    if (
        not isinstance(after, list)
        or len(after) != len(kinds)
        or not all(
            isinstance(part, kind) and not isinstance(part, bool)
            for part, kind in zip(after, kinds, strict=True)
        )
    ):
        raise InvalidFieldError("cursor", str(cursor)[:40], "not a cursor of this listing")
    return after


def paginate(
    items: Sequence[T], key: Callable[[T], str], cursor: str | None, limit: int
) -> tuple[list[T], str | None]:
    """The items after ``cursor`` (sorted by ``key``, which must be unique), at most
    ``limit`` of them, and the cursor of the next page."""
    after = text_key(cursor)
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [i for i in ordered if key(i) > after]
    page = ordered[:limit]
    more = len(ordered) > limit
    return page, (encode(key(page[-1])) if more and page else None)


async def _cursor(
    cursor: Annotated[
        str | None, Query(max_length=500, description="From a page's next_cursor.")
    ] = None,
) -> str | None:
    # A coroutine (run on the event loop, not handed to a thread): it only decodes.
    decode(cursor)  # refuse a bad cursor before the listing is read (and audited)
    return cursor


Cursor = Annotated[str | None, Depends(_cursor)]
