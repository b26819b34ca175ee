"""The series and victims listings: pages cut by the store's query, whole while rows are added
between page reads; victims only the caller's agency's."""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import Principal
from interlink.services import casework_access
from interlink.services.cases import acting_agency
from tests.services.paging import walk_while_adding


def _principals(store: SqlStore) -> tuple[Principal, Principal]:
    alpha, beta = acting_agency(store, "alpha", actor="t"), acting_agency(store, "beta", actor="t")
    return Principal.local(alpha.id, alpha.name, "a"), Principal.local(beta.id, beta.name, "b")


def test_series_pages_are_cut_in_the_query_and_whole_while_series_are_added(
    store: SqlStore,
) -> None:
    alpha, beta = _principals(store)
    for n in range(1, 10, 2):
        casework_access.add_victim(store, beta, f"v{n}", series=[f"Series {n:02d}"])

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        return casework_access.series_page(store, alpha, after=after, limit=2)

    def between(page: int) -> None:  # one behind the cursor (not seen), one ahead (seen)
        casework_access.add_victim(store, beta, f"w{page}", series=[f"series {2 * page - 2:02d}"])
        casework_access.add_victim(store, beta, f"x{page}", series=[f"SERIES {2 * page + 4:02d}"])

    names = walk_while_adding(read, 2, lambda r: r["series"].casefold(), between)
    assert names[:2] == ["series 01", "series 03"]
    assert {f"series {n:02d}" for n in (1, 3, 5, 6, 7, 8, 9, 10)} <= set(names)
    assert "series 00" not in names
    first, _ = casework_access.series_page(store, alpha, after=None, limit=1)
    assert first[0]["victims"] == 1 and first[0]["others"] and not first[0]["yours"]


def test_victim_pages_are_cut_in_the_query_whole_while_victims_are_added_and_own_only(
    store: SqlStore,
) -> None:
    alpha, beta = _principals(store)
    for n in range(1, 10, 2):
        casework_access.add_victim(store, alpha, f"v{n:02d}")
        casework_access.add_victim(store, beta, f"v{n + 1:02d}")

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        return casework_access.victim_page(store, alpha, after=after, limit=2)

    def between(page: int) -> None:
        casework_access.add_victim(store, alpha, f"v{2 * page - 1:02d}b")  # behind the cursor
        casework_access.add_victim(store, alpha, f"v{2 * page + 4:02d}")  # ahead of it

    names = walk_while_adding(read, 2, lambda r: r["pseudonym"], between)
    assert names[:2] == ["v01", "v03"]
    assert {"v01", "v03", "v05", "v06", "v07", "v08", "v09", "v10"} <= set(names)
    assert not any(n.endswith("b") for n in names) and "v02" not in names
    assert casework_access.victim_list(store, beta)[0]["pseudonym"] == "v02"
