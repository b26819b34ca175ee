"""Agencies, cases and exhibits in the store."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, Uuid, bindparam, select, text, update

from interlink.adapters.sql.case_figures import CASE_FIGURES, case_figures
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import agencies, cases, exhibits, sightings
from interlink.domain.cases import (
    LOCAL_AGENCY,
    LOCAL_COUNTRY,
    Agency,
    Case,
    CaseFigures,
    CaseStatus,
    Exhibit,
)
from interlink.domain.errors import AccessDeniedError, NotFoundError


def _case(row: Any) -> Case:
    return Case(row.id, row.name, row.agency_id, CaseStatus(row.status), row.created_at)


def _exhibit(row: Any) -> Exhibit:
    return Exhibit(row.id, row.case_id, row.name, row.root, row.description, row.acquisition_hash)


def _agency(row: Any) -> Agency:
    return Agency(row.id, row.name, row.country, row.contact)


class CaseRepository:
    """Create and find agencies, cases and their exhibits."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- agencies ----------------------------------------------------------------------------

    def ensure_agency(self, connection: Connection, agency: Agency) -> tuple[Agency, bool]:
        """The stored agency named like ``agency``, created from it if missing; and whether it
        was created."""
        row = connection.execute(select(agencies).where(agencies.c.name == agency.name)).first()
        if row is not None:
            return _agency(row), False
        connection.execute(
            agencies.insert().values(
                id=agency.id, name=agency.name, country=agency.country, contact=agency.contact
            )
        )
        return agency, True

    def update_agency(self, connection: Connection, agency: Agency) -> None:
        """Store a changed country or contact of an agency."""
        connection.execute(
            update(agencies)
            .where(agencies.c.id == agency.id)
            .values(country=agency.country, contact=agency.contact)
        )

    def agency(self, name: str) -> Agency:
        """The agency called ``name``; raise ``NotFoundError`` if there is none."""
        with reading(self._engine) as connection:
            row = connection.execute(select(agencies).where(agencies.c.name == name)).first()
        if row is None:
            raise NotFoundError("agency", name)
        return _agency(row)

    def agencies(self, ids: Iterable[uuid.UUID] | None = None) -> list[Agency]:
        """Every agency (or those with the given ids), by name."""
        query = select(agencies).order_by(agencies.c.name)
        if ids is not None:
            query = query.where(agencies.c.id.in_(sorted(set(ids))))
        with reading(self._engine) as connection:
            return [_agency(row) for row in connection.execute(query)]

    # -- cases -------------------------------------------------------------------------------

    def ensure_case(
        self, connection: Connection, name: str, agency: Agency | None = None
    ) -> tuple[Case, bool]:
        """The case called ``name`` of ``agency`` (default: the local agency, ``ZZ``), created
        if missing; and whether it was created.

        A case of no agency is claimed by ``agency``; a case of another agency raises
        ``AccessDeniedError``.
        """
        owner, _ = self.ensure_agency(
            connection, agency or Agency(uuid.uuid4(), LOCAL_AGENCY, LOCAL_COUNTRY)
        )
        row = connection.execute(select(cases).where(cases.c.name == name)).first()
        if row is not None:
            found = _case(row)
            if found.agency_id is None:
                connection.execute(
                    update(cases).where(cases.c.id == found.id).values(agency_id=owner.id)
                )
                return Case(found.id, name, owner.id, found.status, found.created_at), False
            if found.agency_id != owner.id:
                raise AccessDeniedError(f"case {name!r} belongs to another agency")
            return found, False
        ident, created = uuid.uuid4(), datetime.now(UTC)
        connection.execute(
            cases.insert().values(
                id=ident, name=name, agency_id=owner.id, status="open", created_at=created
            )
        )
        return Case(ident, name, owner.id, CaseStatus.OPEN, created), True

    def set_status(self, connection: Connection, case_id: uuid.UUID, status: CaseStatus) -> None:
        """Store a case's new status."""
        connection.execute(update(cases).where(cases.c.id == case_id).values(status=status.value))

    def get(self, name: str) -> Case:
        """The case called ``name``; raise ``NotFoundError`` if there is none."""
        with reading(self._engine) as connection:
            row = connection.execute(select(cases).where(cases.c.name == name)).first()
        if row is None:
            raise NotFoundError("case", name)
        return _case(row)

    def by_ids(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Case]:
        """The cases with the given ids, by id."""
        wanted = sorted(set(ids))
        found: dict[uuid.UUID, Case] = {}
        if not wanted:
            return found  # no connection checked out for nothing (a case without links)
        with self._engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                query = select(cases).where(cases.c.id.in_(wanted[start : start + 500]))
                found.update((row.id, _case(row)) for row in connection.execute(query))
        return found

    def all(self, agency_id: uuid.UUID | None = None) -> list[Case]:
        """Every case (or every case of one agency), by name."""
        query = select(cases).order_by(cases.c.name)
        if agency_id is not None:
            query = query.where(cases.c.agency_id == agency_id)
        with reading(self._engine) as connection:
            return [_case(r) for r in connection.execute(query)]

    def figures(self, agency_id: uuid.UUID) -> list[CaseFigures]:
        """Every case of the agency, by name, with its figures (``case_figures``)."""
        query = (
            text(CASE_FIGURES)
            .bindparams(bindparam("agency", type_=Uuid))
            .columns(created_at=DateTime(timezone=True))
        )
        with reading(self._engine) as connection:
            rows = connection.execute(query, {"agency": agency_id})
            return [case_figures(row, row.created_at) for row in rows]

    # -- exhibits ----------------------------------------------------------------------------

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

    def record_images(
        self, connection: Connection, exhibit_id: uuid.UUID, images: dict[str, Any]
    ) -> None:
        """Merge ``images`` (provenance key -> an image's facts as JSON) into the exhibit's."""
        current = connection.execute(
            select(exhibits.c.images).where(exhibits.c.id == exhibit_id)
        ).scalar_one_or_none()
        merged = {**(current or {}), **images}
        connection.execute(
            update(exhibits).where(exhibits.c.id == exhibit_id).values(images=merged)
        )

    def exhibit_media(self, exhibit_id: uuid.UUID) -> set[str]:
        """SHA-256 of every media the exhibit has a sighting of."""
        with reading(self._engine) as connection:
            rows = connection.execute(
                select(sightings.c.sha256).where(sightings.c.exhibit_id == exhibit_id).distinct()
            )
            return {row.sha256 for row in rows}

    def exhibit_images(self, connection: Connection, exhibit_id: uuid.UUID) -> dict[str, Any]:
        """The exhibit's storage-media images (provenance key -> facts), ``{}`` if none."""
        value = connection.execute(
            select(exhibits.c.images).where(exhibits.c.id == exhibit_id)
        ).scalar_one_or_none()
        return dict(value or {})

    def describe_exhibit(self, connection: Connection, exhibit: Exhibit) -> None:
        """Store an exhibit's description and acquisition hash."""
        connection.execute(
            update(exhibits)
            .where(exhibits.c.id == exhibit.id)
            .values(description=exhibit.description, acquisition_hash=exhibit.acquisition_hash)
        )

    def exhibits(
        self, case_id: uuid.UUID, *, after: str | None = None, limit: int | None = None
    ) -> list[Exhibit]:
        """The exhibits of a case, by name (unique in a case); with ``after`` or ``limit``
        only the first ``limit`` named after ``after`` (keyset: the query cuts the page)."""
        query = select(exhibits).where(exhibits.c.case_id == case_id).order_by(exhibits.c.name)
        if after is not None:
            query = query.where(exhibits.c.name > after)
        with reading(self._engine) as connection:
            return [_exhibit(r) for r in connection.execute(query.limit(limit))]
