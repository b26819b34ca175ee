"""The case list's figures in one query (``CaseRepository.figures``), on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.services.case_list import case_list
from tests.adapters.sql import case_world


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def test_the_figures_query_gives_what_the_repositories_give(store: SqlStore) -> None:
    agencies = case_world.build(store)
    for agency in agencies.values():
        assert case_list(store, agency) == case_world.expected(store, agency)
    nl = {row["case"]: row for row in case_list(store, agencies["NL"])}
    assert list(nl) == ["N-1", "N-2", "N-3"]  # by name; X has no agency, D-1 is DE's
    assert (nl["N-1"]["exhibits"], nl["N-1"]["linked_cases"], nl["N-1"]["watch_hits"]) == (2, 3, 2)
    assert nl["N-2"]["status"] == "closed" and nl["N-2"]["linked_cases"] == 1
    assert (nl["N-3"]["exhibits"], nl["N-3"]["linked_cases"], nl["N-3"]["watch_hits"]) == (0, 0, 0)
    de = case_list(store, agencies["DE"])
    assert [(r["case"], r["linked_cases"], r["watch_hits"]) for r in de] == [("D-1", 2, 1)]
