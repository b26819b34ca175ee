"""The standard-library SQLite reader gives the SQL store's case list, and serves only a SQLite
file at the newest migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.adapters.sqlite_reads import SqliteReads, sqlite_file
from interlink.domain.errors import NotFoundError
from interlink.services.case_list import case_list
from tests.adapters.sql import case_world


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'interlink.db'}"


def test_both_ways_of_reading_list_the_same_cases(url: str) -> None:
    store = SqlStore.open(url)
    try:
        agencies = case_world.build(store)
        expected = {code: case_world.expected(store, a) for code, a in agencies.items()}
        listed = {code: case_list(store, a) for code, a in agencies.items()}
    finally:
        store.close()
    reads = SqliteReads.open(url)
    assert reads is not None
    try:
        for code, agency in agencies.items():
            assert reads.cases.agency(agency.name) == agency
            assert case_list(reads, agency) == listed[code] == expected[code]
        assert any(row["created_at"] for row in listed["NL"])
        with pytest.raises(NotFoundError):
            reads.cases.agency("nobody")
    finally:
        reads.close()


def test_the_reader_cannot_write(url: str) -> None:
    SqlStore.open(url).close()
    reads = SqliteReads.open(url)
    assert reads is not None
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reads._connection.execute("DELETE FROM agencies")
    finally:
        reads.close()


def test_only_a_sqlite_file_at_the_newest_migration_is_read(url: str, tmp_path: Path) -> None:
    assert SqliteReads.open(url) is None  # no file yet: the SQL store creates it
    assert not Path(url.removeprefix("sqlite:///")).exists()
    SqlStore.open(url).close()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'older'")
    connection.close()
    assert SqliteReads.open(url) is None  # to be migrated by the SQL store
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert SqliteReads.open(f"sqlite:///{empty}") is None
    (tmp_path / "text.db").write_text("not a database")
    assert SqliteReads.open(f"sqlite:///{tmp_path / 'text.db'}") is None


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:////var/x/interlink.db", "/var/x/interlink.db"),
        ("sqlite:///relative.db", "relative.db"),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("sqlite:///x.db?mode=ro", None),
        ("sqlite:///with%20space.db", None),
        ("sqlite+pysqlite:///x.db", None),
        ("postgresql://u@h/db", None),
    ],
)
def test_which_urls_name_a_sqlite_file(url: str, path: str | None) -> None:
    assert sqlite_file(url) == (Path(path) if path else None)
