"""Queries of an agency's own records that cannot be written without its scope: every
method takes an ``AgencyScope`` and filters by it in SQL, so another agency's rows are never
returned (they are "not found", not "forbidden", and their names are not confirmed)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from interlink.adapters.sql.cases import _case
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import cases
from interlink.domain.cases import Case
from interlink.domain.errors import NotFoundError
from interlink.domain.principal import AgencyScope


class ScopedCases:
    """An agency's cases, read through its scope."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def case(self, scope: AgencyScope, name: str) -> Case:
        """The scope's case ``name``; ``NotFoundError`` if it has none by that name."""
        with reading(self._engine) as connection:
            row = connection.execute(
                select(cases).where(cases.c.name == name, cases.c.agency_id == scope.agency_id)
            ).first()
        if row is None:
            raise NotFoundError("case", name)
        return _case(row)

    def cases(self, scope: AgencyScope) -> list[Case]:
        """The scope's cases, by name."""
        with reading(self._engine) as connection:
            rows = connection.execute(
                select(cases).where(cases.c.agency_id == scope.agency_id).order_by(cases.c.name)
            )
            return [_case(row) for row in rows]
