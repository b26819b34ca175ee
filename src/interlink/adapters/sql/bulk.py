"""Bulk insert-or-ignore of plain tuples through the driver's ``executemany``.

SQLAlchemy Core builds, for every row of an ``executemany``, a parameter dictionary and runs
each column's processing: about 20 us a row, more than the rest of a chat import. Here the
statement (``INSERT ... ON CONFLICT (key) DO NOTHING``, which SQLite and PostgreSQL both
accept) is written once per table, and each row is a tuple in column order; only the
columns whose type needs a conversion on this backend (times and JSON on SQLite, JSON on
PostgreSQL) are converted, by the very processors Core would use, so the stored values are
the same as Core's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, Table

from interlink.adapters.sql.dialect import CHUNK

#: Rows per ``executemany`` call.
ROWS = 5000


#: Times a faster formatter must render as Core's processor does before it replaces it.
_SAMPLES = (
    datetime(2024, 1, 31, 23, 59, 58),
    datetime(2024, 1, 31, 23, 59, 58, 120, tzinfo=UTC),
    datetime(999, 2, 3, 4, 5, 6, 7),
    datetime(2024, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2))),
)


def _iso_time(value: Any) -> Any:
    if type(value) is datetime:
        return value.isoformat(" ", "microseconds")[:26]
    raise TypeError("not a datetime")


def _faster(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``processor``, or the same rendering of times by ``datetime.isoformat`` (in C) when
    ``processor`` renders times as text exactly so (SQLite's ``DateTime``: a third of the
    conversion time of a message row); anything but a plain ``datetime`` still goes to
    ``processor``."""
    try:
        if any(processor(sample) != _iso_time(sample) for sample in _SAMPLES):
            return processor
    except (TypeError, ValueError, AttributeError):
        return processor

    def convert(value: Any) -> Any:
        if type(value) is datetime:
            return value.isoformat(" ", "microseconds")[:26]
        return processor(value)

    return convert


def _kept(processor: Callable[[Any], Any]) -> type | None:
    """``bool`` when ``processor`` turns ``True`` and ``False`` into values the driver stores
    as it stores the booleans themselves (SQLite's ``Boolean``: ``1`` and ``0``, which
    ``sqlite3`` also binds ``True`` and ``False`` as), so a column holding only booleans
    needs no call per row; else ``None``."""
    try:
        true, false = processor(True), processor(False)
        if type(true) in (bool, int) and type(false) in (bool, int) and (true, false) == (1, 0):
            return bool
    except (TypeError, ValueError, AttributeError):
        pass
    return None


class BulkInsert:
    """``INSERT ... ON CONFLICT (conflict) DO NOTHING`` of ``columns`` of ``table``."""

    def __init__(
        self, connection: Connection, table: Table, columns: Sequence[str], conflict: Sequence[str]
    ) -> None:
        dialect = connection.dialect
        quote = dialect.identifier_preparer.quote
        mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
        casts = {"JSON": "JSON", "UUID": "UUID"} if dialect.name == "postgresql" else {}
        marks = []
        #: (column index, processor, the type whose values the processor leaves as they are)
        self.convert: list[tuple[int, Callable[[Any], Any], type | None]] = []
        for index, name in enumerate(columns):
            column_type = table.c[name].type
            cast = casts.get(type(column_type).__name__.upper())
            marks.append(f"CAST({mark} AS {cast})" if cast else mark)
            processor = column_type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.convert.append((index, _faster(processor), _kept(processor)))
        self.sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(marks)}) "
            f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO NOTHING"
        )

    def run(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (tuples in column order), skipping those already stored."""
        if not rows:
            return
        # Only the columns of this batch holding a value to convert: not all empty, and not
        # all of a type the processor keeps.
        convert = [
            (index, processor)
            for index, processor, kept in self.convert
            if any(row[index] is not None and type(row[index]) is not kept for row in rows)
        ]
        if convert:
            converted = []
            for row in rows:
                values = list(row)
                for index, processor in convert:
                    value = values[index]
                    if value is not None:
                        values[index] = processor(value)
                converted.append(tuple(values))
            rows = converted
        for start in range(0, len(rows), ROWS):
            connection.exec_driver_sql(self.sql, list(rows[start : start + ROWS]))


def select_ids(
    connection: Connection,
    table: Table,
    where: Sequence[tuple[str, Any]],
    key: str,
    keys: Sequence[Any],
) -> dict[Any, int]:
    """``{key value: id}`` of the rows of ``table`` whose ``where`` columns equal the given
    values (``(column, value)`` pairs) and whose ``key`` column is in ``keys``."""
    found: dict[Any, int] = {}
    if not keys:
        return found
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
    values = []
    for column, value in where:
        processor = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        values.append(value if processor is None else processor(value))
    condition = " AND ".join(f"{quote(column)} = {mark}" for column, _ in where)
    for start in range(0, len(keys), CHUNK):
        part = list(keys[start : start + CHUNK])
        # The list padded (with its first key again) to one of a few lengths: each distinct
        # statement is prepared and kept in the driver's cache (128 a connection), and one per
        # length of list filled it with statements of up to CHUNK parameters (~6 MB on SQLite).
        size = _padded(len(part))
        part.extend([part[0]] * (size - len(part)))
        sql = (
            f"SELECT {quote(key)}, {quote('id')} FROM {quote(table.name)} "
            f"WHERE {condition} AND {quote(key)} IN ({', '.join([mark] * size)})"
        )
        for found_key, ident in connection.exec_driver_sql(sql, (*values, *part)):
            found[found_key] = int(ident)
    return found


def _padded(length: int) -> int:
    """The length a list of ``length`` keys is padded to: the next power of two from 8 on,
    at most ``CHUNK``."""
    size = 8
    while size < length:
        size *= 2
    return min(size, CHUNK)
