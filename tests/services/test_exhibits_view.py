"""The exhibits listing of a case: pages cut by the store's query, whole while exhibits are
added between page reads, and only the caller's own case."""

from __future__ import annotations

from typing import Any

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import NotFoundError
from interlink.domain.principal import Principal
from interlink.services import exhibits_view
from interlink.services.cases import acting_agency, open_case
from tests.services.paging import walk_while_adding


def test_exhibit_pages_are_cut_in_the_query_and_whole_while_exhibits_are_added(
    store: SqlStore,
) -> None:
    alpha, beta = acting_agency(store, "alpha", actor="t"), acting_agency(store, "beta", actor="t")
    own = open_case(store, "C", alpha, actor="t")
    other = open_case(store, "D", beta, actor="t")

    def add(case_id: Any, name: str) -> None:
        with store.transaction() as tx:
            store.cases.ensure_exhibit(tx, case_id, name, f"/x/{name}")

    for n in range(1, 10, 2):
        add(own.id, f"e{n:02d}")
        add(other.id, f"e{n:02d}-beta")
    who = Principal.local(alpha.id, alpha.name, "t")

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        rows, more = exhibits_view.exhibit_page(store, who, "C", after=after, limit=2)
        return rows, rows[-1]["name"] if more else None

    def between(page: int) -> None:  # one behind the cursor (not seen), one ahead (seen)
        add(own.id, f"e{2 * page - 2:02d}")
        add(own.id, f"e{2 * page + 4:02d}")

    names = walk_while_adding(read, 2, lambda r: r["name"], between)
    assert names[:2] == ["e01", "e03"]
    assert {"e01", "e03", "e05", "e07", "e09"} <= set(names)
    assert {"e06", "e08", "e10"} <= set(names) and "e00" not in names
    assert not any(n.endswith("-beta") for n in names)
    with pytest.raises(NotFoundError):
        exhibits_view.exhibit_page(store, who, "D", after=None, limit=2)
