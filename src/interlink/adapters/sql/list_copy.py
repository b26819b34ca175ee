"""A list import's new entries and their signal rows, written by PostgreSQL's COPY.

An ``INSERT ... RETURNING`` of 2,000 entries (SQLAlchemy's "insertmanyvalues": statements of
1,000 rows' parameters, which psycopg parses anew each time) and an ``executemany`` of their
signal rows (a statement a row) cost the importer more CPU than reading the file. On
PostgreSQL the entries' ids are drawn from their sequence in one round trip and the entries
copied with them; their signal rows are copied in page order (``signal_data.page_order``),
their ids drawn by the column default in that order, so they fill pages as laid out. Values
go through the columns' own bind processors (JSON as text), so the rows stored are those the
inserts store, which other backends still run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table

from interlink.adapters.sql.schema import entry_signals, list_entries
from interlink.adapters.sql.signal_data import page_order


def insert_entries(connection: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Add ``list_entries`` rows (without ids); their new ids, in the order of ``rows``."""
    if connection.dialect.name != "postgresql":
        result = connection.execute(
            list_entries.insert().returning(list_entries.c.id, sort_by_parameter_order=True),
            rows,
        )
        return [int(row.id) for row in result]
    ids = draw_ids(connection, list_entries, len(rows))
    copy_rows(
        connection, list_entries, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)]
    )
    return ids


def insert_signals(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Add ``entry_signals`` rows (without ids), in page order."""
    if not rows:
        return
    ordered = page_order(rows, connection.dialect.name)
    if connection.dialect.name == "postgresql":
        copy_rows(connection, entry_signals, ordered)
    else:
        connection.execute(entry_signals.insert(), ordered)


def draw_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """``count`` new ids of ``table``'s ``id`` column from its sequence, ascending."""
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            (table.name, count),
        )
        return sorted(int(row[0]) for row in cursor.fetchall())


def copy_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """COPY ``rows`` (dictionaries with the same keys) into ``table``, in their order."""
    if not rows:
        return
    columns = list(rows[0])
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for at, column in enumerate(columns):
        impl = table.c[column].type.dialect_impl(connection.dialect)
        processor = impl.bind_processor(connection.dialect)
        if processor is not None:
            processors.append((at, processor))
    raw = connection.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                values = [row[c] for c in columns]
                for at, process in processors:
                    if values[at] is not None:
                        values[at] = process(values[at])
                copy.write_row(values)
