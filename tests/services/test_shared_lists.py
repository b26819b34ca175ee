"""The votes listing (items the lists disagree on): pages cut by the store's query, whole
while disputed items are added between page reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import Principal
from interlink.services import lists as service
from interlink.services import shared_lists
from interlink.services.cases import acting_agency
from tests.services.paging import walk_while_adding


def _dispute(store: SqlStore, folder: Path, name: str, values: list[int]) -> None:
    """Two lists that put each MD5 ``values`` in different categories."""
    for suffix, category in (("a", "uk:A"), ("c", "uk:C")):
        path = folder / f"{name}{suffix}.csv"
        path.write_text("md5,category\n" + "".join(f"{v:032x},{category}\n" for v in values))
        service.import_list(store, path, name=f"{name}{suffix}")


def test_vote_pages_are_cut_in_the_query_and_whole_while_disputes_are_added(
    store: SqlStore, tmp_path: Path
) -> None:
    agency = acting_agency(store, "alpha", actor="t")
    who = Principal.local(agency.id, agency.name, "t")
    _dispute(store, tmp_path, "first", [1, 3, 5, 7, 9])

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        return shared_lists.vote_page(store, who, after=after, limit=2)

    def between(page: int) -> None:  # one behind the cursor (not seen), one ahead (seen)
        _dispute(store, tmp_path, f"more{page}", [2 * page - 2, 2 * page + 4])

    keys = walk_while_adding(read, 2, lambda r: (r["signal"], r["value"]), between)
    values = [int(v, 16) for _, v in keys]
    assert values[:2] == [1, 3] and {1, 3, 5, 6, 7, 8, 9, 10} <= set(values)
    assert 0 not in values
    assert {c for r in read(None)[0] for c in (v["category"] for v in r["votes"])} >= {"uk:A"}


def test_list_pages_are_cut_in_the_query_and_whole_while_lists_are_added(
    store: SqlStore, tmp_path: Path
) -> None:
    agency = acting_agency(store, "alpha", actor="t")
    who = Principal.local(agency.id, agency.name, "t")

    def add(name: str) -> None:
        path = tmp_path / f"{name}.csv"
        path.write_text(f"md5,category\n{len(name):032x},uk:A\n")
        service.import_list(store, path, name=name)

    for n in range(1, 10, 2):
        add(f"l{n:02d}")

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        return shared_lists.list_page(store, who, after=after, limit=2)

    def between(page: int) -> None:  # one behind the cursor (not seen), one ahead (seen)
        add(f"l{2 * page - 2:02d}")
        add(f"l{2 * page + 4:02d}")

    names = walk_while_adding(read, 2, lambda r: r["name"], between)
    assert names[:2] == ["l01", "l03"] and "l00" not in names
    assert {"l01", "l03", "l05", "l06", "l07", "l08", "l09", "l10"} <= set(names)
    assert read(None)[0][0]["entries"] == 1
