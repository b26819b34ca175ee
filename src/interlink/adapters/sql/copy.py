"""Bulk insert-or-ignore through PostgreSQL's COPY, for the rows a scan writes.

COPY cannot skip rows that collide with stored ones, so the rows are copied (psycopg's
``Cursor.copy``) into a temporary staging table of the same columns, then moved with one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING``. The staging table lives as long as the
session and is emptied at every commit. Values go through the column types' own bind
processors (JSON as text, say), so the stored rows are those ``insert_ignore`` stores. SQLite
has no COPY: there ``insert_ignore`` (an ``executemany``) is used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from interlink.adapters.sql.dialect import insert_ignore


def write_ignore(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]], *conflict: str
) -> None:
    """Insert ``rows`` (dictionaries with the same keys), skipping any that collide on the
    unique constraint of ``conflict`` (on any unique index when none is named): by COPY on
    PostgreSQL, by ``executemany`` elsewhere."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        insert_ignore(connection, table, rows, *conflict)
        return
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    digest = hashlib.sha256(names.encode("utf-8")).hexdigest()[:8]
    stage = quote(f"stage_{table.name}_{digest}")
    processors: list[Callable[[Any], Any] | None] = [
        table.c[c].type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        for c in columns
    ]
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
            f"SELECT {names} FROM {quote(table.name)} WITH NO DATA"
        )
        cursor.execute(f"DELETE FROM {stage}")
        with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if value is None or convert is None else convert(value)
                        for value, convert in zip(
                            (row[c] for c in columns), processors, strict=True
                        )
                    ]
                )
        # Without named columns, a row colliding on any unique index is skipped (partial
        # unique indexes, as media_signals has, cannot be named without their predicate).
        target = f"({', '.join(quote(c) for c in conflict)}) " if conflict else ""
        cursor.execute(
            f"INSERT INTO {quote(table.name)} ({names}) SELECT {names} FROM {stage} "
            f"ON CONFLICT {target}DO NOTHING"
        )
