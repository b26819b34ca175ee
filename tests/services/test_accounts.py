"""The users listing: pages cut by the store's query, whole while users are added between page
reads, and an agency admin's only its agency's users."""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import AuthMethod, Principal, Role
from interlink.services import accounts
from interlink.services.cases import acting_agency
from tests.services.paging import walk_while_adding


def test_user_pages_are_cut_in_the_query_whole_while_added_and_agency_scoped(
    store: SqlStore,
) -> None:
    node = acting_agency(store, "node", actor="operator")
    acting_agency(store, "other", actor="operator")
    root = Principal.local(node.id, node.name, "operator")

    def add(name: str, agency: str = "node") -> None:
        roles = frozenset({Role.VIEWER})
        accounts.add_user(store, root, name, agency=agency, roles=roles, password=None)

    for n in range(1, 10, 2):
        add(f"u{n:02d}")
        add(f"u{n:02d}-other", "other")
    admin = store.accounts.user("u01")
    agency_admin = Principal(
        admin.id, "u01", node.id, "node", frozenset({Role.AGENCY_ADMIN}), AuthMethod.PASSWORD
    )

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        users, last = accounts.user_page(store, agency_admin, after=after, limit=2)
        return [{"name": u.name} for u in users], last

    def between(page: int) -> None:  # one behind the cursor (not seen), one ahead (seen)
        add(f"u{2 * page - 2:02d}")
        add(f"u{2 * page + 4:02d}")

    names = walk_while_adding(read, 2, lambda r: r["name"], between)
    assert names[:2] == ["u01", "u03"] and "u00" not in names
    assert {"u01", "u03", "u05", "u06", "u07", "u08", "u09", "u10"} <= set(names)
    assert not any(n.endswith("-other") for n in names)
    every, last = accounts.user_page(store, root, after=None, limit=100)
    assert last is None and {"u01-other", "u01"} <= {u.name for u in every}
