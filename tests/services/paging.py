"""Walk a keyset listing page by page while rows are added between the page reads, for the
listing tests of the services: each page must hold at most ``limit`` rows (the store's query
cuts it, not the caller) and the walk must give every row once, in order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Reads one page: the key to go on after (``None``: from the first) -> rows and the key to
#: go on after (``None``: that was the last page).
Read = Callable[[Any], tuple[list[dict[str, Any]], Any]]


def walk_while_adding(
    read: Read,
    limit: int,
    key: Callable[[dict[str, Any]], Any],
    add: Callable[[int], None],
    *,
    ordered: bool = True,
) -> list[Any]:
    """The keys of every row a walk of ``read`` gives, calling ``add(page number)`` after
    each page (to add rows before and after the cursor); fails if a page is longer than
    ``limit``, a page before the last is short, or a key repeats or (``ordered``: the key
    is the listing's order) goes back."""
    keys: list[Any] = []
    after, pages = None, 0
    while True:
        rows, after = read(after)
        assert len(rows) <= limit, f"page {pages} has {len(rows)} rows, more than {limit}"
        assert after is None or len(rows) == limit, f"page {pages} is short yet not the last"
        keys += [key(r) for r in rows]
        pages += 1
        if after is None:
            break
        add(pages)
        assert pages < 200, "the walk does not end"
    assert len(set(map(repr, keys))) == len(keys), keys
    assert not ordered or keys == sorted(keys), keys
    return keys
