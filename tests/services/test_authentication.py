"""The tokens listing: pages cut by the store's query, whole while tokens are made between
page reads, and only the caller's own tokens."""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import AuthMethod, Principal, Role
from interlink.services import accounts, authentication
from interlink.services.cases import acting_agency
from tests.services.paging import walk_while_adding


def test_token_pages_are_cut_in_the_query_whole_while_made_and_own_only(
    store: SqlStore,
) -> None:
    node = acting_agency(store, "node", actor="operator")
    root = Principal.local(node.id, node.name, "operator")
    for name in ("ivy", "eve"):
        roles = frozenset({Role.INVESTIGATOR})
        accounts.add_user(store, root, name, agency="node", roles=roles, password=None)
    ivy = Principal(
        store.accounts.user("ivy").id,
        "ivy",
        node.id,
        "node",
        frozenset({Role.INVESTIGATOR}),
        AuthMethod.PASSWORD,
    )
    initial = {authentication.create_token(store, ivy, label=f"t{n}")[0].id for n in range(5)}
    made = set(initial)
    for n in range(3):
        authentication.create_token(store, root, user="eve", label=f"eve{n}")

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        tokens, last = authentication.token_page(store, ivy, after=after, limit=2)
        return [{"id": t.id} for t in tokens], last

    def between(page: int) -> None:  # random ids: some land behind the cursor, some ahead
        for _ in range(2):
            made.add(authentication.create_token(store, ivy, label=f"p{page}")[0].id)

    ids = walk_while_adding(read, 2, lambda r: str(r["id"]), between)
    assert set(ids) <= {str(i) for i in made}
    assert {str(i) for i in initial} <= set(ids)  # each token there from the start, once
    every, last = authentication.token_page(store, ivy, after=None, limit=100)
    assert last is None and {t.id for t in every} == made
    assert {t.label for t in every}.isdisjoint({"eve0", "eve1", "eve2"})
