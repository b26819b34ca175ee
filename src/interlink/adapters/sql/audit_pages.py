"""Pages of the audit log in chain order, optionally only one agency's actors' records."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import Engine, select

from interlink.adapters.sql.audit import AuditRecord, _as_utc
from interlink.adapters.sql.schema import audit_log

_FIELDS = tuple(f.name for f in fields(AuditRecord))


def _record(row: Any) -> AuditRecord:
    values = {name: row._mapping[name] for name in _FIELDS}
    return AuditRecord(**{**values, "at": _as_utc(row.at)})


class AuditPages:
    """Read the audit log a page at a time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def page(
        self, *, after_id: int, limit: int, actor_prefix: str | None, newest_first: bool = False
    ) -> list[AuditRecord]:
        """Up to ``limit`` records with ids above ``after_id``, in chain order (with
        ``newest_first``: below ``after_id`` unless it is 0, newest first); with
        ``actor_prefix``, only records whose actor starts with it."""
        if newest_first:
            query = select(audit_log)
            if after_id:
                query = query.where(audit_log.c.id < after_id)
        else:
            query = select(audit_log).where(audit_log.c.id > after_id)
        if actor_prefix is not None:
            escaped = actor_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(audit_log.c.actor.like(f"{escaped}%", escape="\\"))
        order = audit_log.c.id.desc() if newest_first else audit_log.c.id
        query = query.order_by(order).limit(limit)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]
