"""Bulk inserts bind what SQLAlchemy Core would bind, calling no processor that would
change nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime
from sqlalchemy.dialects import postgresql, sqlite

from interlink.adapters.sql.bulk import _kept

LITE = sqlite.dialect()
POSTGRES = postgresql.dialect()  # type: ignore[no-untyped-call]


def test_booleans_are_bound_as_they_are_only_where_the_processor_keeps_them() -> None:
    for dialect in (LITE, POSTGRES):
        processor = Boolean().dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            assert _kept(processor) is bool
            assert (processor(True), processor(False)) == (True, False)
    times = DateTime().dialect_impl(LITE).bind_processor(LITE)
    assert times is not None and _kept(times) is None
    assert isinstance(times(datetime(2024, 1, 1)), str)
    documents = JSON().dialect_impl(LITE).bind_processor(LITE)
    assert documents is not None and _kept(documents) is None
