"""Pages of the audit log in chain order, optionally only one agency's actors' records and
only those whose actor, action or object contains a text."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from sqlalchemy import Engine, or_, select

from interlink.adapters.sql.audit import AuditRecord, _as_utc
from interlink.adapters.sql.schema import audit_log

_FIELDS = tuple(f.name for f in fields(AuditRecord))


def _record(row: Any) -> AuditRecord:
    values = {name: row._mapping[name] for name in _FIELDS}
    return AuditRecord(**{**values, "at": _as_utc(row.at)})


def _escaped(text: str) -> str:
    # A LIKE pattern that matches the text itself (its % and _ are not wildcards).
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class AuditPages:
    """Read the audit log a page at a time."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def page(
        self,
        *,
        after_id: int,
        limit: int,
        actor_prefix: str | None,
        newest_first: bool = False,
        containing: str | None = None,
    ) -> list[AuditRecord]:
        """Up to ``limit`` records with ids above ``after_id``, in chain order (with
        ``newest_first``: below ``after_id`` unless it is 0, newest first); with
        ``actor_prefix``, only records whose actor starts with it; with ``containing``, only
        those whose actor, action, object type or object id contains it (any case)."""
        if newest_first:
            query = select(audit_log)
            if after_id:
                query = query.where(audit_log.c.id < after_id)
        else:
            query = select(audit_log).where(audit_log.c.id > after_id)
        if actor_prefix is not None:
            query = query.where(audit_log.c.actor.like(f"{_escaped(actor_prefix)}%", escape="\\"))
        if containing:
            pattern = f"%{_escaped(containing)}%"
            query = query.where(
                or_(
                    *(
                        column.ilike(pattern, escape="\\")
                        for column in (
                            audit_log.c.actor,
                            audit_log.c.action,
                            audit_log.c.object_type,
                            audit_log.c.object_id,
                        )
                    )
                )
            )
        order = audit_log.c.id.desc() if newest_first else audit_log.c.id
        query = query.order_by(order).limit(limit)
        with self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]
