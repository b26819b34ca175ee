"""How many clear views of media an actor has had since a moment, counted from the audit log
(each reveal is one ``media.reveal`` record), records still queued for the chain included."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, func, select

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import audit_log, audit_queue

REVEAL_ACTION = "media.reveal"


def reveals_since(engine: Engine, actor: str, since: datetime) -> int:
    """The number of reveals ``actor`` made at or after ``since`` (in one statement, so a
    record chained meanwhile is counted once)."""

    def count(table: Table) -> Any:
        return (
            select(func.count())
            .select_from(table)
            .where(table.c.action == REVEAL_ACTION)
            .where(table.c.actor == actor)
            .where(table.c.at >= since)
            .scalar_subquery()
        )

    with reading(engine) as connection:
        return int(connection.execute(select(count(audit_log) + count(audit_queue))).scalar_one())
