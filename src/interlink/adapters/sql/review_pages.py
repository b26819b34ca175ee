"""A case's review queue a page at a time: the queue's order computed in one query (new before
reviewed by this user, unknown before known, known media together by their first series, then
by first path and SHA-256) and cut there (keyset on that order)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, case, false, func, literal, or_, select

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.reviews import media_reviews
from interlink.adapters.sql.schema import (
    exhibits,
    hash_lists,
    list_entries,
    media_matches,
    sightings,
)

#: A media's place in the queue: reviewed (0/1), known (0/1), first series ('' if none), first
#: path, SHA-256.
QueueKey = tuple[int, int, str, str, str]


def _after(columns: list[Any], values: tuple[Any, ...]) -> ColumnElement[bool]:
    """``(columns) > (values)`` in the order of the tuple, written out (portable)."""
    clause: ColumnElement[bool] = false()
    for column, value in reversed(list(zip(columns, values, strict=True))):
        clause = or_(column > value, and_(column == value, clause))
    return clause


class ReviewPages:
    """Read-only review-queue queries over one store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def queue(
        self,
        case_id: uuid.UUID,
        user_id: uuid.UUID,
        own_votes: str,
        *,
        reviewed: bool | None = None,
        after: QueueKey | None = None,
        limit: int | None = None,
    ) -> list[QueueKey]:
        """The queue keys of the case's media as ``user_id`` sees them (``own_votes``: the
        user's agency's grades list, whose entries do not make a media known), only those
        reviewed or not when ``reviewed`` is given, the first ``limit`` after ``after``."""
        held = (
            select(sightings.c.sha256, func.min(sightings.c.path).label("path"))
            .join(exhibits, exhibits.c.id == sightings.c.exhibit_id)
            .where(exhibits.c.case_id == case_id)
            .group_by(sightings.c.sha256)
            .subquery()
        )
        named = case((list_entries.c.series != "", list_entries.c.series))
        known = (
            select(
                media_matches.c.sha256,
                func.min(named).label("series"),
                func.count().label("matches"),
            )
            .join(list_entries, list_entries.c.id == media_matches.c.entry_id)
            .join(hash_lists, hash_lists.c.id == list_entries.c.list_id)
            .where(
                hash_lists.c.name != own_votes, media_matches.c.sha256.in_(select(held.c.sha256))
            )
            .group_by(media_matches.c.sha256)
            .subquery()
        )
        marks = (
            select(media_reviews.c.sha256)
            .where(media_reviews.c.user_id == user_id, media_reviews.c.case_id == case_id)
            .subquery()
        )
        keyed = (
            select(
                case((marks.c.sha256.is_not(None), 1), else_=0).label("reviewed"),
                case((known.c.matches.is_not(None), 1), else_=0).label("known"),
                func.coalesce(known.c.series, literal("")).label("series"),
                held.c.path,
                held.c.sha256,
            )
            .select_from(
                held.outerjoin(marks, marks.c.sha256 == held.c.sha256).outerjoin(
                    known, known.c.sha256 == held.c.sha256
                )
            )
            .subquery()
        )
        order = [keyed.c.reviewed, keyed.c.known, keyed.c.series, keyed.c.path, keyed.c.sha256]
        query = select(*order).order_by(*order).limit(limit)
        if reviewed is not None:
            query = query.where(keyed.c.reviewed == int(reviewed))
        if after is not None:
            query = query.where(_after(order, after))
        with reading(self._engine) as connection:
            return [
                (int(r.reviewed), int(r.known), str(r.series), str(r.path), str(r.sha256))
                for r in connection.execute(query)
            ]
