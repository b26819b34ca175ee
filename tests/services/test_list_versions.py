"""A list's versions and what changed between two of them: entries added, removed and
changed in category, folded across the imports in between; a first import records no
entries; unknown or reversed versions are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import InvalidFieldError, NotFoundError
from interlink.services import list_versions
from interlink.services import lists as service
from tests.services.test_lists import md5, write_csv


def _import(store: SqlStore, tmp: Path, label: str, rows: list[tuple[str, str, str]]) -> None:
    service.import_list(store, write_csv(tmp / f"{label}.csv", rows), name="L", version=label)


def test_changes_between_versions_fold_the_imports_in_between(
    store: SqlStore, tmp_path: Path
) -> None:
    _import(
        store, tmp_path, "v1", [("1", md5(1), "uk:A"), ("2", md5(2), "uk:B"), ("3", md5(3), "uk:C")]
    )
    _import(
        store, tmp_path, "v2", [("1", md5(1), "uk:A"), ("2", md5(2), "uk:A"), ("4", md5(4), "uk:C")]
    )
    _import(
        store, tmp_path, "v3", [("1", md5(1), "uk:A"), ("2", md5(2), "uk:A"), ("5", md5(5), "uk:B")]
    )
    found = list_versions.versions(store, "L")
    assert [(v["version"], v["added"], v["changed"], v["removed"]) for v in found] == [
        ("v1", None, None, None),
        ("v2", 1, 1, 1),
        ("v3", 1, 0, 1),
    ]
    first, second, third = (v["generation"] for v in found)
    # Pages cut by the store's query: the versions after one generation, a few at a time.
    assert list_versions.versions(store, "L", after=first, limit=1) == [found[1]]
    assert list_versions.versions(store, "L", after=second, limit=5) == [found[2]]
    assert list_versions.versions(store, "L", after=third) == []

    latest = list_versions.changes(store, "L")
    assert (latest["from"], latest["to"]) == (second, third)
    assert {(r["item"], r["change"]) for r in latest["items"]} == {
        ("id:4", "removed"),
        ("id:5", "added"),
    }

    whole = list_versions.changes(store, "L", after=first, upto=third)
    by_item = {r["item"]: r for r in whole["items"]}
    assert (whole["added"], whole["removed"], whole["changed"]) == (1, 1, 1)
    assert set(by_item) == {"id:2", "id:3", "id:5"}  # 4 came and went: no change
    assert by_item["id:2"]["change"] == "changed"
    assert (by_item["id:2"]["category_before"], by_item["id:2"]["category_after"]) == (
        "uk:B",
        "uk:A",
    )
    assert by_item["id:2"]["fields"] == ["category"]
    assert by_item["id:3"]["change"] == "removed" and by_item["id:3"]["category_after"] is None
    assert by_item["id:5"]["category_after"] == "uk:B"
    # A page of the changes by entry key goes on after the key it names; counts stay exact.
    head = list_versions.changes(store, "L", after=first, upto=third, limit=2)
    assert [r["item"] for r in head["items"]] == ["id:2", "id:3"] and head["truncated"]
    tail = list_versions.changes(store, "L", after=first, upto=third, after_item="id:3")
    assert [r["item"] for r in tail["items"]] == ["id:5"] and not tail["truncated"]
    assert (tail["added"], tail["removed"], tail["changed"]) == (1, 1, 1)


def test_one_version_has_no_changes_and_bad_versions_are_refused(
    store: SqlStore, tmp_path: Path
) -> None:
    _import(store, tmp_path, "v1", [("1", md5(1), "uk:A")])
    only = list_versions.changes(store, "L")
    assert (only["added"], only["removed"], only["changed"], only["items"]) == (0, 0, 0, [])
    generation = list_versions.versions(store, "L")[0]["generation"]
    with pytest.raises(NotFoundError):
        list_versions.changes(store, "L", upto=generation + 5)
    with pytest.raises(InvalidFieldError):
        list_versions.changes(store, "L", after=generation, upto=generation)
    with pytest.raises(NotFoundError):
        list_versions.changes(store, "missing")
