"""Every series the node knows (the names lists give), for the series page."""

from __future__ import annotations

from sqlalchemy import Engine, select

from interlink.adapters.sql.casework_schema import series
from interlink.adapters.sql.engine import reading
from interlink.domain.cases import Series


class SeriesViews:
    """Read-only series queries over one store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def all(self, *, after: str | None = None, limit: int | None = None) -> list[Series]:
        """Every series, by key (the name as compared, unique); with ``after`` or ``limit``
        only the first ``limit`` keyed after ``after`` (keyset: the query cuts the page)."""
        query = select(series).order_by(series.c.key)
        if after is not None:
            query = query.where(series.c.key > after)
        with reading(self._engine) as connection:
            rows = connection.execute(query.limit(limit)).all()
        return [Series(r.id, r.name, r.description, r.created_at) for r in rows]
