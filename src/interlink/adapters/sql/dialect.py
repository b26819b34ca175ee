"""Small portable helpers over the SQLite and PostgreSQL dialects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table

#: Rows per INSERT statement in bulk writes (keeps SQLite under its variable limit).
CHUNK = 500


def insert_ignore(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], *conflict: str
) -> None:
    """Insert ``rows``, silently skipping any that collide on a unique constraint."""
    if not rows:
        return
    name = connection.dialect.name
    for start in range(0, len(rows), CHUNK):
        chunk = list(rows[start : start + CHUNK])
        if name == "postgresql":  # each dialect imported when used: start-up time
            from sqlalchemy.dialects import postgresql

            pg = postgresql.insert(table).on_conflict_do_nothing(index_elements=conflict or None)
            connection.execute(pg, chunk)
        else:
            from sqlalchemy.dialects import sqlite

            lite = sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict or None)
            connection.execute(lite, chunk)


def utc(value: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite gives them back without a zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
