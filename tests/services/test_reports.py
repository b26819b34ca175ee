"""The case report's reads (``services/reports.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import NotFoundError
from interlink.domain.principal import Principal
from interlink.services import casefile, cases
from interlink.services.reports import case_report, read_report


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def _count_case_reads(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names the store's ``cases.get`` is asked for from now on."""
    asked: list[str] = []
    read = store.cases.get

    def counted(name: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(name)
        return read(name, *args, **kwargs)

    monkeypatch.setattr(store.cases, "get", counted)
    return asked


def test_a_report_reads_its_case_once_for_all_its_parts(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    agency = cases.acting_agency(store, "NCA", "GB", actor="gb")
    cases.open_case(store, "OP-1", agency, actor="gb")
    asked = _count_case_reads(store, monkeypatch)
    report = case_report(store, "OP-1")
    assert report["case"] == "OP-1"
    assert asked == ["OP-1"]
    asked.clear()
    assert read_report(store, "OP-1", agency=agency)["case"] == "OP-1"
    assert asked == ["OP-1"]


def test_a_principal_reads_its_case_once_for_its_report(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    agency = cases.acting_agency(store, "NCA", "GB", actor="gb")
    other = cases.acting_agency(store, "BKA", "DE", actor="de")
    cases.open_case(store, "OP-2", agency, actor="gb")
    asked = _count_case_reads(store, monkeypatch)
    reader = Principal.local(agency.id, agency.name, "gb")
    assert casefile.report(store, reader, "OP-2")["case"] == "OP-2"
    assert asked == []  # read once, through the principal's scope
    with pytest.raises(NotFoundError):
        casefile.report(store, Principal.local(other.id, other.name, "de"), "OP-2")
