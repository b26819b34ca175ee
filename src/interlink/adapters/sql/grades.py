"""Queries behind grading: the votes enabled lists give one item (by any of its identifying
hashes), an agency's own vote entry, and the stored media an identifying hash names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, or_, select

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.list_views import IDENTIFYING, _votes_query
from interlink.adapters.sql.schema import list_entries, media
from interlink.domain.categories import Category


@dataclass(frozen=True, slots=True)
class VoteRow:
    """One list's vote for an item: a category, the agency vouching, through which list."""

    category: Category
    agency: str
    list_name: str


class GradeViews:
    """Read-only grading queries over one store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def votes(self, signals: Iterable[tuple[str, str]]) -> list[VoteRow]:
        """Every vote the enabled lists give the item whose identifying hashes are
        ``signals`` ((type, value) pairs); one row per list entry and category."""
        wanted = [(t, v) for t, v in signals if t in IDENTIFYING]
        if not wanted:
            return []
        votes = _votes_query().subquery()
        query = (
            select(
                votes.c.category_scheme, votes.c.category_code, votes.c.agency, votes.c.list_name
            )
            .where(or_(*((votes.c.type == t) & (votes.c.value == v) for t, v in wanted)))
            .distinct()
        )
        with reading(self._engine) as connection:
            return sorted(
                (
                    VoteRow(Category(r.category_scheme, r.category_code), r.agency, r.list_name)
                    for r in connection.execute(query)
                ),
                key=lambda r: (r.category, r.agency, r.list_name),
            )

    @staticmethod
    def entry(connection: Connection, list_id: int, key: str) -> tuple[int, Category | None] | None:
        """The id and category of the entry of list ``list_id`` with ``entry_key`` ``key``."""
        row = connection.execute(
            select(
                list_entries.c.id, list_entries.c.category_scheme, list_entries.c.category_code
            ).where(list_entries.c.list_id == list_id, list_entries.c.entry_key == key)
        ).first()
        if row is None:
            return None
        category = Category(row.category_scheme, row.category_code) if row.category_code else None
        return int(row.id), category

    def media_hashes(self, signal_type: str, value: str) -> list[tuple[str, str, str]]:
        """``(sha256, md5, sha1)`` of every stored media whose ``signal_type`` (md5, sha1 or
        sha256) is ``value``."""
        column = {"md5": media.c.md5, "sha1": media.c.sha1, "sha256": media.c.sha256}[signal_type]
        query = select(media.c.sha256, media.c.md5, media.c.sha1).where(column == value)
        with reading(self._engine) as connection:
            return [(str(s), str(m), str(h)) for s, m, h in connection.execute(query)]
