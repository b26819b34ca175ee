"""Reading a SQLite store with the standard library's ``sqlite3``, for a command that only lists
cases: ``interlink cases`` then starts without importing SQLAlchemy, whose import alone takes
longer than the whole listing is allowed to.

It reads a store that is a SQLite file at the newest migration only (``SqliteReads.open``
returns ``None`` otherwise, and the caller opens the SQL store, which migrates), on a connection
that cannot write (``PRAGMA query_only``). Its query is the text the SQL store runs too
(``adapters.sql.case_figures``), and values are read as SQLAlchemy stores them on SQLite: UUIDs
as 32 hex digits, times as ISO text.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from uuid import UUID

from interlink.adapters.sql.case_figures import CASE_FIGURES, case_figures
from interlink.adapters.sql.revisions import head_revision
from interlink.domain.cases import Agency, CaseFigures
from interlink.domain.errors import NotFoundError

#: How a URL of a SQLite file begins (``sqlite:///relative`` or ``sqlite:////absolute``).
_SQLITE_FILE = "sqlite:///"


def sqlite_file(url: str) -> Path | None:
    """The file a plain ``sqlite:///PATH`` URL names; ``None`` for any other URL (another
    database, an in-memory one, a driver, options or escapes in the URL)."""
    if not url.startswith(_SQLITE_FILE):
        return None
    path = url[len(_SQLITE_FILE) :]
    if not path or path == ":memory:" or any(c in path for c in "?%#"):
        return None
    return Path(path)


class SqliteCaseReads:
    """Agencies and the case list, read from one ``sqlite3`` connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def agency(self, name: str) -> Agency:
        """The agency called ``name``; raise ``NotFoundError`` if there is none."""
        row = self._connection.execute(
            "SELECT id, name, country, contact FROM agencies WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise NotFoundError("agency", name)
        return Agency(UUID(hex=row[0]), row[1], row[2], row[3])

    def figures(self, agency_id: UUID) -> list[CaseFigures]:
        """Every case of the agency, by name, with its figures (``case_figures``)."""
        rows = self._connection.execute(CASE_FIGURES, {"agency": agency_id.hex})
        return [
            case_figures(row, datetime.fromisoformat(row[2]) if row[2] else None) for row in rows
        ]


class SqliteReads:
    """A read-only view of a SQLite store at the newest migration."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self.cases = SqliteCaseReads(connection)

    @classmethod
    def open(cls, url: str) -> SqliteReads | None:
        """The store at ``url`` if it is an existing SQLite file at the newest migration, else
        ``None`` (the SQL store must open it: to migrate it, or to reach another database)."""
        path = sqlite_file(url)
        if path is None or not path.is_file():
            return None
        connection = sqlite3.connect(path, timeout=60, check_same_thread=False)
        try:
            connection.execute("PRAGMA query_only = ON")
            revisions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.Error:
            revisions = []
        if len(revisions) != 1 or revisions[0][0] != head_revision():
            connection.close()
            return None
        return cls(connection)

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()
