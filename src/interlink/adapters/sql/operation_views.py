"""The operations an agency may list (those it has a case in, and those with no case yet),
a page at a time, with how many cases each holds and how many are the agency's."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, case, exists, func, or_, select

from interlink.adapters.sql.casework_schema import operation_cases, operations
from interlink.adapters.sql.dialect import utc
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import cases
from interlink.domain.cases import Operation


class OperationViews:
    """Read-only operation listings over one store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def visible(
        self, agency_id: uuid.UUID, *, after: str | None = None, limit: int | None = None
    ) -> list[tuple[Operation, int, int]]:
        """The operations agency ``agency_id`` has a case in or that hold no case, by name
        (unique), the first ``limit`` named after ``after`` (keyset: the query cuts the
        page and leaves out the operations of other agencies' cases only), each with how
        many cases it holds and how many of them are the agency's."""
        held = operation_cases.c.operation_id == operations.c.id
        own = (
            select(operation_cases.c.case_id)
            .join(cases, cases.c.id == operation_cases.c.case_id)
            .where(held, cases.c.agency_id == agency_id)
        )
        query = (
            select(operations)
            .where(or_(exists(own), ~exists(select(operation_cases.c.case_id).where(held))))
            .order_by(operations.c.name)
            .limit(limit)
        )
        if after is not None:
            query = query.where(operations.c.name > after)
        with reading(self._engine) as connection:
            found = [
                Operation(r.id, r.name, r.description, utc(r.created_at))
                for r in connection.execute(query)
            ]
            counted = (
                select(
                    operation_cases.c.operation_id,
                    func.count(),
                    func.sum(case((cases.c.agency_id == agency_id, 1), else_=0)),
                )
                .join(cases, cases.c.id == operation_cases.c.case_id)
                .where(operation_cases.c.operation_id.in_([o.id for o in found]))
                .group_by(operation_cases.c.operation_id)
            )
            counts = {
                ident: (int(n), int(mine or 0))
                for ident, n, mine in (connection.execute(counted) if found else [])
            }
        return [(o, *counts.get(o.id, (0, 0))) for o in found]
