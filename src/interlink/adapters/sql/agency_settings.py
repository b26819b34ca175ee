"""Settings an agency's admin chooses for its own users (table ``agency_settings``, in the one
``schema.metadata``): today the daily budget of clear views of media."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    Table,
    Uuid,
    select,
)

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import metadata

agency_settings = Table(
    "agency_settings",
    metadata,
    Column("agency_id", Uuid, ForeignKey("agencies.id"), primary_key=True),
    Column("reveal_budget", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def reveal_budget(engine: Engine, agency_id: uuid.UUID) -> int | None:
    """The agency's daily reveal budget, or ``None`` when its admin never set one."""
    query = select(agency_settings.c.reveal_budget).where(agency_settings.c.agency_id == agency_id)
    with reading(engine) as connection:
        found = connection.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def set_reveal_budget(
    connection: Connection, agency_id: uuid.UUID, budget: int, at: datetime
) -> None:
    """Store the agency's daily reveal budget (replacing the previous one)."""
    updated = connection.execute(
        agency_settings.update()
        .where(agency_settings.c.agency_id == agency_id)
        .values(reveal_budget=budget, updated_at=at)
    )
    if updated.rowcount == 0:
        connection.execute(
            agency_settings.insert().values(
                agency_id=agency_id, reveal_budget=budget, updated_at=at
            )
        )


def provider_agencies(engine: Engine) -> list[str]:
    """The names of the agencies that have an identity provider configured, by name."""
    from interlink.adapters.sql.auth_schema import identity_providers
    from interlink.adapters.sql.schema import agencies

    query = (
        select(agencies.c.name)
        .join(identity_providers, identity_providers.c.agency_id == agencies.c.id)
        .order_by(agencies.c.name)
    )
    with reading(engine) as connection:
        return [str(name) for name in connection.execute(query).scalars()]
