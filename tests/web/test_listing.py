"""A page's table: sorted by a column either way (numbers as numbers, negative ones too),
filtered by a text, and paged by a cursor that refuses anything else."""

from __future__ import annotations

import pytest

from interlink.api.pagination import encode
from interlink.domain.errors import InvalidFieldError
from interlink.web.listing import ListQuery, table

ROWS = [{"place": p, "latitude": lat} for p, lat in (("a", -10.5), ("b", -2.0), ("c", 3.0))]


def test_numbers_sort_as_numbers_negative_ones_too() -> None:
    up = table(ROWS, columns=("latitude", "place"), listing=ListQuery("latitude"))
    assert [r["latitude"] for r in up.rows] == [-10.5, -2.0, 3.0]
    down = table(ROWS, columns=("latitude", "place"), listing=ListQuery("-latitude"))
    assert [r["latitude"] for r in down.rows] == [3.0, -2.0, -10.5]


def test_a_filter_and_a_cursor_page_through_the_matches() -> None:
    first = table(ROWS, columns=("place", "latitude"), listing=ListQuery(None, "-"), limit=1)
    assert [r["place"] for r in first.rows] == ["a"] and first.total == 2
    second = table(
        ROWS,
        columns=("place", "latitude"),
        listing=ListQuery(None, "-", first.next_cursor),
        limit=1,
    )
    assert [r["place"] for r in second.rows] == ["b"] and second.next_cursor is None


@pytest.mark.parametrize("cursor", [encode("x"), encode(-1), encode(True)])
def test_a_cursor_of_another_listing_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidFieldError):
        table(ROWS, columns=("place",), listing=ListQuery(None, None, cursor))
