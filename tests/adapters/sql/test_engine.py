from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from interlink.adapters.sql.engine import make_engine, migrate, stored_revision
from interlink.adapters.sql.revisions import MIGRATIONS, head_revision


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
