"""The lookup indexes a server keeps: one per list, rebuilt only for the list that changed,
saved so that another process opens them instead of building, with the entries' labels so a
lookup reads nothing from the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import Principal
from interlink.services import lookup_index, lookups
from interlink.services.cases import acting_agency
from interlink.services.lists import import_list, set_enabled

A1 = "f" * 64
A2 = "0f" * 32
B1 = "a5" * 32
NEAR_A1 = "e" + "f" * 63  # one bit from A1


def _import(store: SqlStore, folder: Path, name: str, rows: list[str]) -> None:
    path = folder / f"{name}.csv"
    path.write_text("pdq,category,series\n" + "".join(f"{r}\n" for r in rows))
    import_list(store, path, name=name)


@pytest.fixture
def store(store_url: str) -> SqlStore:
    return SqlStore.open(store_url)


def _principal(store: SqlStore) -> Principal:
    agency = acting_agency(store, "bench", actor="test")
    return Principal.local(agency.id, agency.name, "test")


def _ask(store: SqlStore, index: lookups.LookupIndex, value: str) -> list[tuple[str, str | None]]:
    found = lookups.lookup(store, _principal(store), index, [lookups.HashQuery("pdq", value)])
    return [(m.list, m.category) for m in found[0].matches]


def test_only_the_changed_list_is_rebuilt(store: SqlStore, tmp_path: Path) -> None:
    _import(store, tmp_path, "national", [f"{A1},uk:A,s1", f"{A2},uk:B,"])
    _import(store, tmp_path, "incoming", [f"{B1},uk:C,"])
    index = lookups.LookupIndex(0, home=tmp_path / "home")
    assert _ask(store, index, NEAR_A1) == [("national", "uk:A")]
    before = {held.state.name: held.indexes for held in index.current(store)}
    _import(store, tmp_path, "incoming", [f"{B1},uk:C,", f"{A1},uk:B,"])
    after = {held.state.name: held.indexes for held in index.current(store)}
    assert after["national"] is before["national"]
    assert after["incoming"] is not before["incoming"]
    assert sorted(_ask(store, index, A1)) == [("incoming", "uk:B"), ("national", "uk:A")]
    set_enabled(store, "incoming", False)
    assert _ask(store, index, A1) == [("national", "uk:A")]
    store.close()


def test_another_process_opens_what_one_built(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(store, tmp_path, "national", [f"{A1},uk:A,s1", f"{A2},uk:B,"])
    home = tmp_path / "home"
    assert _ask(store, lookups.LookupIndex(0, home=home), A2) == [("national", "uk:B")]

    def refuse(*_: object) -> None:
        raise AssertionError("built again instead of opened")

    monkeypatch.setattr(lookup_index, "build_list_index", refuse)
    fresh = lookups.LookupIndex(0, home=home)
    found = lookups.lookup(store, _principal(store), fresh, [lookups.HashQuery("pdq", A1)])
    assert [(m.list, m.category, m.series, m.distance) for m in found[0].matches] == [
        ("national", "uk:A", "s1", 0)
    ]
    store.close()


def test_a_lookup_reads_nothing_from_the_database(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(store, tmp_path, "national", [f"{A1},uk:A,", f"{A2},uk:B,"])
    index = lookups.LookupIndex(3600, home=None)
    principal = _principal(store)
    lookups.lookup(store, principal, index, [lookups.HashQuery("pdq", A1)])

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the database was read")

    monkeypatch.setattr(store.engine, "connect", refuse)
    found = lookups.lookup(
        store, principal, index, [lookups.HashQuery("pdq", A2), lookups.HashQuery("pdq", B1)]
    )
    assert [len(r.matches) for r in found] == [1, 0]
    store.close()


def test_a_damaged_saved_index_is_built_again(store: SqlStore, tmp_path: Path) -> None:
    _import(store, tmp_path, "national", [f"{A1},uk:A,"])
    home = tmp_path / "home"
    lookups.LookupIndex(0, home=home).current(store)
    for labels in (home / "indexes" / "lists").glob("*/*/labels/labels.json"):
        labels.write_text("not json")
    assert _ask(store, lookups.LookupIndex(0, home=home), A1) == [("national", "uk:A")]
    store.close()


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the background refresh never came"
        time.sleep(0.01)


def test_a_due_check_runs_in_the_background_while_callers_answer_from_memory(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(store, tmp_path, "national", [f"{A1},uk:A,"])
    index = lookups.LookupIndex(0.05, home=None)
    assert not index.in_memory()
    assert _ask(store, index, A1) == [("national", "uk:A")]
    assert index.in_memory()
    _import(store, tmp_path, "incoming", [f"{A1},uk:B,"])
    time.sleep(0.1)  # the snapshot is due a check
    refreshed = threading.Event()
    read = lookup_index.list_states

    def slow_states(store: SqlStore) -> list[lookup_index.ListState]:
        assert threading.current_thread() is not threading.main_thread()
        refreshed.wait(10)
        return read(store)

    monkeypatch.setattr(lookup_index, "list_states", slow_states)
    assert _ask(store, index, A1) == [("national", "uk:A")]  # not waiting for the check
    refreshed.set()
    _wait_for(lambda: len(_ask(store, index, A1)) == 2)
    assert sorted(_ask(store, index, A1)) == [("incoming", "uk:B"), ("national", "uk:A")]
    store.close()


def test_a_failed_background_check_keeps_the_last_snapshot(
    store: SqlStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _import(store, tmp_path, "national", [f"{A1},uk:A,"])
    index = lookups.LookupIndex(0.05, home=None)
    assert _ask(store, index, A1) == [("national", "uk:A")]
    calls: list[int] = []

    def unreachable(store: SqlStore) -> list[lookup_index.ListState]:
        calls.append(1)
        raise OSError("the database is down")

    monkeypatch.setattr(lookup_index, "list_states", unreachable)
    time.sleep(0.1)
    assert _ask(store, index, A1) == [("national", "uk:A")]
    _wait_for(lambda: "refreshing the lookup indexes failed" in caplog.text)
    assert _ask(store, index, A1) == [("national", "uk:A")]
    assert calls
    store.close()


def test_labels_of_many_entries_at_once_are_those_of_each() -> None:
    first, second = lookup_index.Label("uk:A", None), lookup_index.Label("uk:B", "s1")
    labels = lookup_index.EntryLabels(
        np.asarray([3, 7, 9, 20], np.int64), np.asarray([1, 0, 1, 0], np.int32), (first, second)
    )
    asked = np.asarray([20, 1, 7, 9, 21, 3, 8, 7], np.int64)
    assert labels.get_many(asked) == [labels.get(int(each)) for each in asked]
    assert labels.get_many(asked) == [first, None, first, second, None, second, None, first]
    assert labels.get_many(np.zeros(0, np.int64)) == []
    empty = lookup_index.EntryLabels(np.zeros(0, np.int64), np.zeros(0, np.int32), ())
    assert empty.get_many(asked) == [None] * len(asked)
