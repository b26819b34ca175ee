from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from interlink.adapters.sql.engine import make_engine, migrate, reading, stored_revision
from interlink.adapters.sql.revisions import MIGRATIONS, head_revision
from interlink.adapters.sql.store import SqlStore
from tests.adapters.sql.pgtrace import round_trips, traced


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert head_revision() == ScriptDirectory.from_config(_config()).get_current_head()


def test_a_store_at_the_head_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    engine = make_engine(url)
    assert stored_revision(engine) is None  # no version table yet
    migrate(engine)
    assert stored_revision(engine) == head_revision()
    engine.dispose()
    program = f"""
import sys
from interlink.adapters.sql.store import SqlStore
SqlStore.open({url!r}).close()
print("alembic" in sys.modules)
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_a_store_behind_the_head_is_migrated(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate(engine)
    with engine.begin() as connection:
        config = _config()
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    assert stored_revision(engine) not in (None, head_revision())
    migrate(engine)
    assert stored_revision(engine) == head_revision()
    engine.dispose()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_the_revision_lines_read_as_parsing_the_migration_would() -> None:
    from interlink.adapters.sql.revisions import _module_constants, _parsed_constants

    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert _module_constants(source) == _parsed_constants(source), path
    merge = (
        'revision: str = "9"\ndown_revision: tuple[str, str] | None = (\n    "7",\n    "8",\n)\n'
    )
    assert _module_constants(merge) == {"revision": "9", "down_revision": ("7", "8")}


@pytest.mark.postgres
def test_a_read_on_postgresql_is_one_round_trip_and_keeps_prepared_statements(
    postgres_url: str, tmp_path: Path
) -> None:
    store = SqlStore.open(postgres_url)
    try:
        with store.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO agencies VALUES (gen_random_uuid(), 'A', 'NL', '')")
            )
        for _ in range(6):  # psycopg prepares a statement on its fifth use
            store.cases.agencies()
        read = traced(store, tmp_path / "read.txt", store.cases.agencies)
        # No transaction: no BEGIN before the read, no ROLLBACK after it, and so none of
        # psycopg's DEALLOCATE ALL (which followed every rollback and dropped what the
        # connection had prepared, to be parsed again).
        assert "BEGIN" not in read and "ROLLBACK" not in read and "DEALLOCATE" not in read
        assert round_trips(read) == 1
        assert [agency.name for agency in store.cases.agencies()] == ["A"]
    finally:
        store.close()


@pytest.mark.postgres
def test_a_connection_read_from_is_transactional_again_for_the_next_writer(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url, pool_size=1)  # one connection: the same one each time
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE reading_t (n INT)"))
        with reading(engine) as connection:
            assert connection.execute(text("SELECT count(*) FROM reading_t")).scalar() == 0
        with pytest.raises(RuntimeError), engine.begin() as connection:
            connection.execute(text("INSERT INTO reading_t VALUES (1)"))
            connection.execute(text("INSERT INTO reading_t VALUES (2)"))
            raise RuntimeError("the change fails half way")
        with reading(engine) as connection:
            assert connection.execute(text("SELECT count(*) FROM reading_t")).scalar() == 0
    finally:
        engine.dispose()


def test_reading_on_sqlite_is_a_plain_connection(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with reading(engine) as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
            assert connection.get_isolation_level() != "AUTOCOMMIT"
    finally:
        engine.dispose()
