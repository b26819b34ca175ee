"""A read asked about nothing (no media, no entries, no watches: a case with nothing yet)
answers nothing without checking a connection out of the pool or sending a statement; a case
report asked a dozen of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event

from interlink.adapters.sql.store import SqlStore

READS: dict[str, Callable[[SqlStore], Any]] = {
    "media.signals_of": lambda s: s.media.signals_of([], "pdq"),
    "media.matches_of": lambda s: s.media.matches_of([]),
    "media.clues_of": lambda s: s.media.clues_of([]),
    "media.videos_of": lambda s: s.media.videos_of([]),
    "lists.info": lambda s: s.lists.info(iter([])),
    "casework.series_named": lambda s: s.casework.series_named(iter([])),
    "casework.series_of_media": lambda s: s.casework.series_of_media([]),
    "casework.victims(series_keys)": lambda s: s.casework.victims(series_keys=iter([])),
    "casework.victims(case_ids)": lambda s: s.casework.victims(case_ids=[]),
    "links.evidence": lambda s: s.links.evidence(iter([])),
    "links.holders": lambda s: s.links.holders(iter([])),
    "watches.alerts": lambda s: s.watches.alerts(ids=iter([])),
    "watches.triggers": lambda s: s.watches.triggers(alert_ids=[]),
    "cases.by_ids": lambda s: s.cases.by_ids(iter([])),
}


@pytest.fixture
def counted(store_url: str) -> Iterator[tuple[SqlStore, list[str]]]:
    """A store, and every connection checkout and statement on its engine from now on."""
    store = SqlStore.open(store_url)
    seen: list[str] = []
    event.listen(store.engine.pool, "checkout", lambda *_: seen.append("checkout"))
    event.listen(store.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    try:
        yield store, seen
    finally:
        store.close()


@pytest.mark.parametrize("read", list(READS))
def test_a_read_of_nothing_reads_nothing(counted: tuple[SqlStore, list[str]], read: str) -> None:
    store, seen = counted
    assert not READS[read](store)
    assert seen == []


def test_the_same_reads_still_ask_the_database_when_given_something(
    counted: tuple[SqlStore, list[str]],
) -> None:
    """The counter sees what those reads do when they do read (the test above can fail)."""
    import uuid

    store, seen = counted
    assert store.media.signals_of(["00" * 32], "pdq") == {}
    assert store.watches.alerts(ids=[uuid.uuid4()]) == []
    assert seen.count("checkout") == 2 and len(seen) >= 4
