"""Importing platform reports from files, folders and archives of them."""

import zipfile
from pathlib import Path

import pytest

from interlink.adapters.memory.networks import InMemoryNetworkRepository
from interlink.domain.errors import NothingReadError, SourceError
from interlink.formats import cybertip, cybertip_json
from interlink.services.report_files import import_report_paths
from tests.network.planted import planted_reports


def _reports(tmp_path: Path) -> tuple[bytes, bytes, int]:
    planted = planted_reports(networks=2, size=3)
    half = len(planted.reports) // 2
    xml = b"".join(cybertip.write_reports(item.report for item in planted.reports[:half]))
    json = b"".join(cybertip_json.write_reports(item.report for item in planted.reports[half:]))
    return xml, json, len(planted.reports)


def test_a_folder_is_read_recursively_and_a_file_that_is_no_report_is_its_own_problem(
    tmp_path: Path,
) -> None:
    """Issue 12: ``reports import FOLDER`` died with IsADirectoryError."""
    xml, json, count = _reports(tmp_path)
    (tmp_path / "tips" / "2026" / "12").mkdir(parents=True)
    (tmp_path / "tips" / "a.xml").write_bytes(xml)
    (tmp_path / "tips" / "2026" / "12" / "b.json").write_bytes(json)
    (tmp_path / "tips" / "README.txt").write_text("tips from the hotline\n")
    (tmp_path / "tips" / "empty.xml").touch()
    repository = InMemoryNetworkRepository()
    found = list(import_report_paths(repository, [tmp_path / "tips"], agency="NCMEC"))
    folder = tmp_path / "tips"
    assert [f.source for f in found] == [
        str(folder / "2026/12/b.json"),
        str(folder / "README.txt"),
        str(folder / "a.xml"),
        str(folder / "empty.xml"),
    ]
    assert sum(f.result.imported for f in found if f.result) == count
    assert [f.problem for f in found if f.result is None] == [
        "neither XML nor JSON",
        "zero-byte file",
    ]
    assert {r.source for r in repository.reports()} == {
        str(folder / "a.xml"),
        str(folder / "2026/12/b.json"),
    }


def test_a_file_keeps_the_name_it_was_given_and_archives_are_opened(tmp_path: Path) -> None:
    xml, json, count = _reports(tmp_path)
    (tmp_path / "a.xml").write_bytes(xml)
    with zipfile.ZipFile(tmp_path / "tips.zip", "w") as archive:
        archive.writestr("b.json", json)
    repository = InMemoryNetworkRepository()
    found = list(import_report_paths(repository, [tmp_path / "a.xml", tmp_path / "tips.zip"]))
    assert [f.source for f in found] == [str(tmp_path / "a.xml"), f"{tmp_path / 'tips.zip'}!b.json"]
    assert sum(f.result.imported for f in found if f.result) == count


def test_nothing_read_is_an_error_and_a_path_that_cannot_be_opened_is_a_source_error(
    tmp_path: Path,
) -> None:
    (tmp_path / "notes.txt").write_text("nothing here\n")
    repository = InMemoryNetworkRepository()
    with pytest.raises(NothingReadError, match="neither XML nor JSON"):
        list(import_report_paths(repository, [tmp_path / "notes.txt"]))
    with pytest.raises(SourceError, match="No such file"):
        list(import_report_paths(repository, [tmp_path / "missing.xml"]))
    (tmp_path / "empty").mkdir()
    assert list(import_report_paths(repository, [tmp_path / "empty"])) == []
