"""Cases and exhibits in the store."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from interlink.adapters.sql.schema import cases, exhibits
from interlink.domain.cases import Case, CaseStatus, Exhibit
from interlink.domain.errors import NotFoundError


def _case(row: Any) -> Case:
    return Case(row.id, row.name, row.agency_id, CaseStatus(row.status), row.created_at)


def _exhibit(row: Any) -> Exhibit:
    return Exhibit(row.id, row.case_id, row.name, row.root, row.description, row.acquisition_hash)


class CaseRepository:
    """Create and find cases and their exhibits."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def ensure_case(self, connection: Connection, name: str) -> tuple[Case, bool]:
        """The case called ``name``, created if missing; and whether it was created."""
        row = connection.execute(select(cases).where(cases.c.name == name)).first()
        if row is not None:
            return _case(row), False
        ident, created = uuid.uuid4(), datetime.now(UTC)
        connection.execute(
            cases.insert().values(id=ident, name=name, status="open", created_at=created)
        )
        return Case(ident, name, None, CaseStatus.OPEN, created), True

    def get(self, name: str) -> Case:
        """The case called ``name``; raise ``NotFoundError`` if there is none."""
        with self._engine.connect() as connection:
            row = connection.execute(select(cases).where(cases.c.name == name)).first()
        if row is None:
            raise NotFoundError("case", name)
        return _case(row)

    def all(self) -> list[Case]:
        """Every case, by name."""
        with self._engine.connect() as connection:
            return [_case(r) for r in connection.execute(select(cases).order_by(cases.c.name))]

    def ensure_exhibit(
        self, connection: Connection, case_id: uuid.UUID, name: str, root: str
    ) -> tuple[Exhibit, bool]:
        """The exhibit ``name`` of the case, created (read from ``root``) if missing."""
        row = connection.execute(
            select(exhibits).where(exhibits.c.case_id == case_id, exhibits.c.name == name)
        ).first()
        if row is not None:
            return _exhibit(row), False
        ident = uuid.uuid4()
        connection.execute(
            exhibits.insert().values(
                id=ident,
                case_id=case_id,
                name=name,
                root=root,
                description="",
                acquisition_hash="",
                created_at=datetime.now(UTC),
            )
        )
        return Exhibit(ident, case_id, name, root), True

    def exhibits(self, case_id: uuid.UUID) -> list[Exhibit]:
        """The exhibits of a case, by name."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(exhibits).where(exhibits.c.case_id == case_id).order_by(exhibits.c.name)
            )
            return [_exhibit(r) for r in rows]
