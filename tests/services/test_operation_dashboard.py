"""The operations listing: pages cut by the store's query (which leaves out operations that
hold only other agencies' cases), whole while operations are added between page reads."""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import Principal
from interlink.services import casefile, operation_dashboard
from interlink.services.cases import acting_agency
from tests.services.paging import walk_while_adding


def test_operation_pages_are_cut_in_the_query_whole_while_added_and_own_only(
    store: SqlStore,
) -> None:
    a, b = acting_agency(store, "alpha", actor="t"), acting_agency(store, "beta", actor="t")
    alpha, beta = Principal.local(a.id, a.name, "a"), Principal.local(b.id, b.name, "b")
    casefile.open_case(store, alpha, "A-1")
    casefile.open_case(store, beta, "B-1")

    def made(name: str, *, by: Principal, case: str | None = None) -> None:
        operation_dashboard.create(store, by, name)
        if case is not None:
            operation_dashboard.add_case(store, by, name, case)

    for n in range(1, 10, 2):
        made(f"op{n:02d}", by=alpha, case="A-1" if n % 4 == 1 else None)
        made(f"op{n:02d}-beta", by=beta, case="B-1")  # only another agency's case: hidden
    operation_dashboard.add_case(store, beta, "op01", "B-1")  # shared: shown to both

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        return operation_dashboard.operation_page(store, alpha, after=after, limit=2)

    def between(page: int) -> None:  # one behind the cursor (not seen), one ahead (seen)
        made(f"op{2 * page - 2:02d}", by=alpha)
        made(f"op{2 * page + 4:02d}", by=alpha, case="A-1")

    names = walk_while_adding(read, 2, lambda r: r["operation"], between)
    assert names[:2] == ["op01", "op03"] and "op00" not in names
    assert {"op01", "op03", "op05", "op06", "op07", "op08", "op09", "op10"} <= set(names)
    assert not any(n.endswith("-beta") for n in names)
    [first] = [
        r for r in operation_dashboard.operation_list(store, alpha) if r["operation"] == "op01"
    ]
    assert (first["cases"], first["own_cases"]) == (2, 1)
    seen_by_beta = [r["operation"] for r in operation_dashboard.operation_list(store, beta)]
    caseless = ["op00", "op02", "op03", "op04", "op07"]
    assert seen_by_beta == sorted(
        ["op01", *(f"op{n:02d}-beta" for n in range(1, 10, 2)), *caseless]
    )
