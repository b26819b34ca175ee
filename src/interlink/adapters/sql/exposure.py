"""How many clear views of media an actor has had since a moment, counted from the audit log
(each reveal is one ``media.reveal`` record)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select

from interlink.adapters.sql.schema import audit_log

REVEAL_ACTION = "media.reveal"


def reveals_since(engine: Engine, actor: str, since: datetime) -> int:
    """The number of reveals ``actor`` made at or after ``since``."""
    query = (
        select(func.count())
        .select_from(audit_log)
        .where(audit_log.c.action == REVEAL_ACTION)
        .where(audit_log.c.actor == actor)
        .where(audit_log.c.at >= since)
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())
