"""Watch hits a page at a time, as each side sees them: one row per watch, hitting case and
side (``owner``: the watch is the agency's; ``hitter``: the agency's case made the hits),
keyed by the group's first hit (its row id: hits are only ever added, so a group keeps it)
and the side."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Engine, and_, func, literal, or_, select, union_all

from interlink.adapters.sql.casework_schema import alert_hits, alerts
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.watches import _hit
from interlink.linking.deconfliction import AlertHit

#: A page's row: the group's first hit id, the side, the watch and the hitting case.
HitGroup = tuple[int, str, uuid.UUID, uuid.UUID]


class HitPages:
    """Read-only paged watch-hit queries over one store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def groups(
        self,
        agency_id: uuid.UUID,
        *,
        case_id: uuid.UUID | None = None,
        after: tuple[int, str] | None = None,
        limit: int | None = None,
    ) -> list[HitGroup]:
        """The (watch, hitting case, side) groups agency ``agency_id`` sees, by first hit id
        and side, the first ``limit`` after ``after`` (keyset: the query cuts the page); with
        ``case_id`` only those of that own case (the watch's case on the owner side, the
        hitting case on the hitter side)."""
        first = func.min(alert_hits.c.id).label("first")
        joined = alert_hits.join(alerts, alerts.c.id == alert_hits.c.alert_id)
        owner = (
            select(
                first, literal("owner").label("side"), alert_hits.c.alert_id, alert_hits.c.case_id
            )
            .select_from(joined)
            .where(alerts.c.agency_id == agency_id)
            .group_by(alert_hits.c.alert_id, alert_hits.c.case_id)
        )
        hitter = (
            select(
                first, literal("hitter").label("side"), alert_hits.c.alert_id, alert_hits.c.case_id
            )
            .where(alert_hits.c.agency_id == agency_id)
            .group_by(alert_hits.c.alert_id, alert_hits.c.case_id)
        )
        if case_id is not None:
            owner = owner.where(alerts.c.case_id == case_id)
            hitter = hitter.where(alert_hits.c.case_id == case_id)
        both = union_all(owner, hitter).subquery()
        query = select(both).order_by(both.c.first, both.c.side).limit(limit)
        if after is not None:
            query = query.where(
                or_(both.c.first > after[0], and_(both.c.first == after[0], both.c.side > after[1]))
            )
        with reading(self._engine) as connection:
            return [
                (int(r.first), str(r.side), r.alert_id, r.case_id)
                for r in connection.execute(query)
            ]

    def hits_of(self, pairs: Iterable[tuple[uuid.UUID, uuid.UUID]]) -> list[AlertHit]:
        """Every hit of each (watch, hitting case) pair, in the order they were made."""
        wanted = set(pairs)
        if not wanted:
            return []
        query = (
            select(alert_hits)
            .where(
                alert_hits.c.alert_id.in_(sorted({a for a, _ in wanted})),
                alert_hits.c.case_id.in_(sorted({c for _, c in wanted})),
            )
            .order_by(alert_hits.c.id)
        )
        with reading(self._engine) as connection:
            rows = connection.execute(query)
            return [_hit(r) for r in rows if (r.alert_id, r.case_id) in wanted]
