"""A list's version history in the store: each import generation (its version label, source
and time) and, for every generation after the list's first, the entries it added, removed or
described differently (category, series, flags), each with its description before and after.
A first import is not recorded entry by entry (it added everything), so a ten-million-entry
list costs its history only what its later versions change."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, case, func, insert, select, update

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import hash_lists, list_changes, list_versions
from interlink.domain.lists import ListEntry

#: What a change records of an entry (``describe``): the fields a diff between versions shows.
Description = dict[str, Any]
DESCRIBED = ("category", "series", "victim_identified", "offender_identified", "distributed")


def describe(entry: ListEntry) -> Description:
    """What an entry says of its item, as a version's history keeps it."""
    return {
        "category": entry.category.display() if entry.category else None,
        "series": entry.series,
        "victim_identified": entry.victim_identified,
        "offender_identified": entry.offender_identified,
        "distributed": entry.distributed,
    }


def describe_row(row: Any) -> Description:
    """``describe`` of a stored ``list_entries`` row."""
    scheme, code = row.category_scheme, row.category_code
    return {
        "category": f"{scheme}:{code}" if scheme and code else None,
        "series": row.series,
        "victim_identified": row.victim_identified,
        "offender_identified": row.offender_identified,
        "distributed": row.distributed,
    }


@dataclass(frozen=True, slots=True)
class Version:
    """One import generation of a list, with how many entries it added, changed, removed
    (``None`` for the first generation the store holds: its entries were not recorded)."""

    generation: int
    version: str
    source: str
    imported_at: datetime
    added: int | None
    changed: int | None
    removed: int | None


@dataclass(frozen=True, slots=True)
class Change:
    """One entry as one generation changed it (``before`` ``None``: added; ``after``: removed)."""

    generation: int
    entry_key: str
    before: Description | None
    after: Description | None


class ListHistory:
    """Record and read the versions of lists and what each changed."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @staticmethod
    def begin(connection: Connection, list_id: int, generation: int) -> None:
        """Record the generation ``generation`` of the list, labelled as the list is now
        (``label`` corrects it once the import knows its version)."""
        row = connection.execute(
            select(hash_lists.c.version, hash_lists.c.source).where(hash_lists.c.id == list_id)
        ).one()
        connection.execute(
            insert(list_versions).values(
                list_id=list_id,
                generation=generation,
                version=row.version or "",
                source=row.source or "",
                imported_at=datetime.now(UTC),
            )
        )

    @staticmethod
    def label(
        connection: Connection, list_id: int, generation: int, *, version: str, source: str
    ) -> None:
        """Set the version label and source of a recorded generation."""
        connection.execute(
            update(list_versions)
            .where(list_versions.c.list_id == list_id, list_versions.c.generation == generation)
            .values(version=version, source=source)
        )

    @staticmethod
    def record(
        connection: Connection,
        list_id: int,
        generation: int,
        changes: Iterable[tuple[str, Description | None, Description | None]],
    ) -> None:
        """Record what generation ``generation`` changed, as ``(key, before, after)``; an
        entry whose description did not change (only its signals did) is left out. Nothing is
        recorded of a list's first generation."""
        if generation <= 1:
            return
        rows = [
            {
                "list_id": list_id,
                "generation": generation,
                "entry_key": key,
                "before": before,
                "after": after,
            }
            for key, before, after in changes
            if before != after
        ]
        if rows:
            connection.execute(insert(list_changes), rows)

    def versions(
        self, list_id: int, *, after: int | None = None, limit: int | None = None
    ) -> list[Version]:
        """The list's recorded generations, oldest first, with their counts of changes; only
        those after generation ``after`` and at most ``limit`` of them when given (keyset:
        ``generation > after ORDER BY generation LIMIT limit``)."""
        ours = list_versions.c.list_id == list_id
        query = select(list_versions).where(ours).order_by(list_versions.c.generation)
        if after is not None:
            query = query.where(list_versions.c.generation > after)
        if limit is not None:
            query = query.limit(limit)
        with reading(self._engine) as connection:
            rows = list(connection.execute(query))
            if not rows:
                return []
            first = connection.execute(select(func.min(list_versions.c.generation)).where(ours))
            oldest = first.scalar_one()
            counts = (
                select(
                    list_changes.c.generation,
                    func.sum(case((list_changes.c.before.is_(None), 1), else_=0)).label("added"),
                    func.sum(case((list_changes.c.after.is_(None), 1), else_=0)).label("removed"),
                    func.count().label("all"),
                )
                .where(
                    list_changes.c.list_id == list_id,
                    list_changes.c.generation >= rows[0].generation,
                    list_changes.c.generation <= rows[-1].generation,
                )
                .group_by(list_changes.c.generation)
            )
            by_generation = {int(r.generation): r for r in connection.execute(counts)}
        return [
            _version(row, by_generation.get(int(row.generation)), row.generation == oldest)
            for row in rows
        ]

    def changes(self, list_id: int, after: int, upto: int) -> Iterator[Change]:
        """What the generations after ``after`` up to ``upto`` changed, in order."""
        query = (
            select(list_changes)
            .where(
                list_changes.c.list_id == list_id,
                list_changes.c.generation > after,
                list_changes.c.generation <= upto,
            )
            .order_by(list_changes.c.generation, list_changes.c.id)
        )
        with self._engine.connect() as connection:
            for row in connection.execution_options(yield_per=10_000).execute(query):
                yield Change(int(row.generation), row.entry_key, row.before, row.after)


def _version(row: Any, got: Any, first: bool) -> Version:
    """A version row with its counts of changes (``None`` for the first version recorded)."""
    added = None if first else int(got.added) if got else 0
    removed = None if first else int(got.removed) if got else 0
    changed = None if first else (int(got.all) - int(got.added) - int(got.removed)) if got else 0
    at = row.imported_at if row.imported_at.tzinfo else row.imported_at.replace(tzinfo=UTC)
    return Version(int(row.generation), row.version, row.source, at, added, changed, removed)
