"""Every series the node knows (the names lists give), for the series page."""

from __future__ import annotations

from sqlalchemy import Engine, select

from interlink.adapters.sql.schema import series
from interlink.domain.cases import Series


class SeriesViews:
    """Read-only series queries over one store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def all(self) -> list[Series]:
        """Every series, by name."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(series).order_by(series.c.key)).all()
        return [Series(r.id, r.name, r.description, r.created_at) for r in rows]
