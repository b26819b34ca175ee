"""Rows of the list tables as the list repository writes and reads them: an entry's row and
its signals' rows, a stored row back as an entry, and a list's current import generation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Text, bindparam, func, select

from interlink.adapters.sql.schema import hash_lists, list_entries
from interlink.adapters.sql.signal_data import stored
from interlink.domain.categories import Category
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.signals import orb


def entry_row(list_id: int, entry: ListEntry) -> dict[str, Any]:
    return {
        "list_id": list_id,
        "external_id": entry.external_id,
        "category_scheme": entry.category.scheme if entry.category else None,
        "category_code": entry.category.code if entry.category else None,
        "series": entry.series,
        "victim_identified": entry.victim_identified,
        "offender_identified": entry.offender_identified,
        "distributed": entry.distributed,
        "media_kind": entry.media_kind,
        "extra": dict(entry.extra) if entry.extra else None,
    }


def signal_row(entry_id: int, list_id: int, signal: Signal) -> dict[str, Any]:
    return {
        "entry_id": entry_id,
        "list_id": list_id,
        "type": signal.type,
        **stored(signal.type, signal.value),
        "quality": signal.quality,
    }


def category_of(scheme: str | None, code: str | None) -> Category | None:
    return Category(scheme, code) if scheme and code else None


def generation_of(connection: Connection, list_id: int) -> int:
    found = connection.execute(
        select(hash_lists.c.generation).where(hash_lists.c.id == list_id)
    ).scalar_one()
    return int(found)


def keyed(
    connection: Connection, list_id: int, keys: list[str], *columns: ColumnElement[Any]
) -> Select[Any]:
    """``columns`` of the list's entries with these ``entry_key`` values. On PostgreSQL the keys
    are one ``text[]`` parameter (never cut to the column's length), joined as ``unnest``: an
    ``IN`` of 2,000 parameters read all of a fresh list's rows so far in every batch (the plan
    takes the list for a few rows), and once psycopg prepared the statement (its fifth run)
    its generic plan compared each row with the keys one by one; the join hashes the keys or
    probes the ``(list_id, entry_key)`` index."""
    query = select(*columns).where(list_entries.c.list_id == list_id)
    if connection.dialect.name != "postgresql":
        return query.where(list_entries.c.entry_key.in_(keys))
    from sqlalchemy.dialects.postgresql import ARRAY  # only where it is used (quick start-up)

    wanted = (
        func.unnest(bindparam("keys", keys, type_=ARRAY(Text())))
        .table_valued("key")
        .render_derived(name="wanted")
    )
    return query.join_from(list_entries, wanted, list_entries.c.entry_key == wanted.c.key)


def in_entry_order(signals: list[Signal]) -> tuple[Signal, ...]:
    """An entry's signals as read back in row order, its ORB value last: the writer lays an
    import's signal rows out by page (``signal_data.page_order``), which may move an entry's
    ORB row ahead of its other rows; every entry Interlink makes carries ORB last."""
    return tuple(sorted(signals, key=lambda signal: signal.type == orb.NAME))


def list_entry(row: Any, signals: list[Signal]) -> ListEntry:
    extra = tuple(sorted((str(k), str(v)) for k, v in (row.extra or {}).items()))
    return ListEntry(
        signals=in_entry_order(signals),
        category=category_of(row.category_scheme, row.category_code),
        series=row.series,
        victim_identified=row.victim_identified,
        offender_identified=row.offender_identified,
        distributed=row.distributed,
        external_id=row.external_id,
        media_kind=row.media_kind,
        extra=extra,
    )
