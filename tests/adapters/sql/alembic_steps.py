"""Moving a test's store up or down the migrations with Alembic, for the migrations' tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from interlink.adapters.sql.revisions import MIGRATIONS
from interlink.adapters.sql.store import SqlStore


def migrate(store: SqlStore, revision: str, down: bool) -> None:
    """Take ``store``'s database up (or ``down``) to ``revision``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
