"""The ``media_reviews`` table: which media of a case each user has marked reviewed.

One row per (user, case, media) while it is marked; unmarking deletes the row. Reads take the
user and the case, so one user's state never shows in another's queue.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Table,
    Uuid,
    delete,
    insert,
    select,
)

from interlink.adapters.sql.dialect import utc
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import Hex64, metadata

media_reviews = Table(
    "media_reviews",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), primary_key=True),
    Column("sha256", Hex64, primary_key=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
)


class ReviewRepository:
    """Per-user reviewed marks on a case's media."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def reviewed(self, user_id: uuid.UUID, case_id: uuid.UUID) -> dict[str, datetime]:
        """The media of ``case_id`` that ``user_id`` marked reviewed, with when."""
        query = select(media_reviews.c.sha256, media_reviews.c.reviewed_at).where(
            media_reviews.c.user_id == user_id, media_reviews.c.case_id == case_id
        )
        with reading(self._engine) as connection:
            return {
                row.sha256: utc(row.reviewed_at) or datetime.now(UTC)
                for row in connection.execute(query)
            }

    def mark(
        self,
        connection: Connection,
        user_id: uuid.UUID,
        case_id: uuid.UUID,
        sha256: str,
        reviewed: bool,
    ) -> tuple[datetime | None, datetime | None]:
        """Mark (or unmark) one media inside the caller's transaction; the mark's time
        before and after (``None``: not marked)."""
        key = (
            media_reviews.c.user_id == user_id,
            media_reviews.c.case_id == case_id,
            media_reviews.c.sha256 == sha256,
        )
        before = utc(connection.execute(select(media_reviews.c.reviewed_at).where(*key)).scalar())
        if reviewed and before is None:
            now = datetime.now(UTC)
            connection.execute(
                insert(media_reviews).values(
                    user_id=user_id, case_id=case_id, sha256=sha256, reviewed_at=now
                )
            )
            return None, now
        if not reviewed and before is not None:
            connection.execute(delete(media_reviews).where(*key))
            return before, None
        return before, before
