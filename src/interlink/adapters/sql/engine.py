"""Engines for SQLite (the embedded default) and PostgreSQL, and schema migration.

Opening a store whose schema is already at the newest migration reads one row and does not load
Alembic: the newest revision is read from the migration files themselves (``revisions.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from interlink.adapters.sql.revisions import MIGRATIONS, head_revision
from interlink.domain.errors import ConfigurationError

if TYPE_CHECKING:
    from alembic.config import Config


def make_engine(url: str, *, pool_size: int | None = None, pre_ping: bool = True) -> Engine:
    """An engine for ``url`` (``sqlite:///path``, ``sqlite://`` for memory, or
    ``postgresql+psycopg://...``). SQLite gets WAL, foreign keys and a busy timeout.
    ``pool_size``: PostgreSQL connections kept open (a server: one per thread), with as many
    again allowed beyond it at a peak (SQLAlchemy's default: 5 and 10). ``pre_ping``: test
    each PostgreSQL connection with a round trip when it leaves the pool (a server turns it
    off: after a database restart the first statement on a dead connection fails, and
    SQLAlchemy then discards every pooled connection)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.render_as_string(hide_password=False))
    if parsed.get_backend_name() != "postgresql":
        raise ConfigurationError(f"unsupported database {parsed.get_backend_name()!r}")
    if pool_size is None:
        return create_engine(parsed, pool_pre_ping=pre_ping)
    return create_engine(
        parsed, pool_pre_ping=pre_ping, pool_size=pool_size, max_overflow=pool_size // 2
    )


def reading(engine: Engine) -> Connection:
    """A connection of ``engine`` for reads only (``with reading(engine) as connection:``).

    On PostgreSQL it is in autocommit mode, so its statements start no transaction: a read
    is one round trip, where a plain connection's was three or four (``BEGIN`` before its
    first statement; ``ROLLBACK`` when it closes; after that rollback, psycopg's ``DEALLOCATE
    ALL``, which also throws away the statements the connection had prepared, so they were
    parsed again). At PostgreSQL's READ COMMITTED, the engine's level, each statement sees
    what was committed when it started either way, so a read sees what it saw before.

    Not for a write, a lock (``FOR UPDATE``), a temporary table or a server-side cursor
    (``stream_results``): each needs a transaction. SQLite's connections are returned as
    they are."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection.execution_options(isolation_level="AUTOCOMMIT")
    return connection


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    in_memory = not database or database == ":memory:"
    if not in_memory and database:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 60}}
    if in_memory:
        from sqlalchemy.pool import StaticPool

        kwargs["poolclass"] = StaticPool
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it on an empty database). A database
    already at the newest migration is only read."""
    head = head_revision()
    if head is not None and stored_revision(engine) == head:
        return
    from alembic import command

    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


def stored_revision(engine: Engine) -> str | None:
    """The one migration the database records as applied (``None``: none, several, or no
    version table)."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None
