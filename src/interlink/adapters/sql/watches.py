"""Watches (VICS-style alerts), their triggers and their hits in the store."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, or_, select, update

from interlink.adapters.sql.casework_schema import alert_hits, alert_triggers, alerts
from interlink.adapters.sql.engine import reading
from interlink.domain.errors import NotFoundError
from interlink.linking.deconfliction import (
    Alert,
    AlertHit,
    AlertTrigger,
    Disclosure,
    Priority,
    TriggerKind,
)

_CHUNK = 500


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _alert(row: Any) -> Alert:
    return Alert(
        id=row.id,
        agency_id=row.agency_id,
        title=row.title,
        priority=Priority(row.priority),
        disclosure=Disclosure(row.disclosure),
        message=row.message,
        case_id=row.case_id,
        created_at=_utc(row.created_at),
        expires_at=_utc(row.expires_at),
        withdrawn_at=_utc(row.withdrawn_at),
    )


def _trigger(row: Any) -> AlertTrigger:
    return AlertTrigger(int(row.id), row.alert_id, TriggerKind(row.kind), row.value)


def _hit(row: Any) -> AlertHit:
    return AlertHit(
        row.alert_id,
        int(row.trigger_id),
        row.case_id,
        row.agency_id,
        row.subject,
        row.distance,
        _utc(row.at),
    )


class WatchRepository:
    """Store watches and read them back with their hits."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(
        self, connection: Connection, alert: Alert, triggers: Sequence[tuple[TriggerKind, str]]
    ) -> list[AlertTrigger]:
        """Store a watch with its triggers (normalised values); return the stored triggers."""
        connection.execute(
            alerts.insert().values(
                id=alert.id,
                agency_id=alert.agency_id,
                case_id=alert.case_id,
                title=alert.title,
                priority=int(alert.priority),
                disclosure=alert.disclosure.value,
                message=alert.message,
                created_at=alert.created_at or datetime.now(UTC),
                expires_at=alert.expires_at,
                withdrawn_at=alert.withdrawn_at,
            )
        )
        stored: list[AlertTrigger] = []
        for kind, value in triggers:
            result = connection.execute(
                alert_triggers.insert()
                .values(alert_id=alert.id, kind=kind.value, value=value)
                .returning(alert_triggers.c.id)
            )
            stored.append(AlertTrigger(int(result.scalar_one()), alert.id, kind, value))
        return stored

    def withdraw(self, connection: Connection, alert_id: uuid.UUID, at: datetime) -> None:
        """Mark a watch withdrawn from ``at`` on."""
        connection.execute(update(alerts).where(alerts.c.id == alert_id).values(withdrawn_at=at))

    def get(self, alert_id: uuid.UUID) -> Alert:
        """The watch with this id; raise ``NotFoundError`` if there is none."""
        found = self.alerts(ids=[alert_id])
        if not found:
            raise NotFoundError("watch", str(alert_id))
        return found[0]

    def alerts(
        self, *, agency_id: uuid.UUID | None = None, ids: Iterable[uuid.UUID] | None = None
    ) -> list[Alert]:
        """Watches of one agency, or with the given ids (or every watch), newest first."""
        query = select(alerts).order_by(alerts.c.created_at.desc(), alerts.c.id)
        if agency_id is not None:
            query = query.where(alerts.c.agency_id == agency_id)
        if ids is not None:
            wanted = sorted(set(ids))
            if not wanted:
                return []  # no connection checked out for nothing
            query = query.where(alerts.c.id.in_(wanted))
        with reading(self._engine) as connection:
            return [_alert(row) for row in connection.execute(query)]

    def triggers(
        self,
        *,
        alert_ids: Iterable[uuid.UUID] | None = None,
        values: Iterable[str] | None = None,
        kinds: Iterable[TriggerKind] | None = None,
    ) -> list[AlertTrigger]:
        """Triggers of some watches, or with one of ``values``, or of some kinds; the filters
        given all apply."""
        query = select(alert_triggers).order_by(alert_triggers.c.id)
        if alert_ids is not None:
            watches = sorted(set(alert_ids))
            if not watches:
                return []  # no connection checked out for nothing
            query = query.where(alert_triggers.c.alert_id.in_(watches))
        if kinds is not None:
            query = query.where(alert_triggers.c.kind.in_(sorted({k.value for k in kinds})))
        with reading(self._engine) as connection:
            if values is None:
                return [_trigger(row) for row in connection.execute(query)]
            wanted = sorted(set(values))
            found: list[AlertTrigger] = []
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                found += [
                    _trigger(row)
                    for row in connection.execute(query.where(alert_triggers.c.value.in_(chunk)))
                ]
            return sorted(found, key=lambda t: t.id)

    def add_hits(self, connection: Connection, hits: Sequence[AlertHit]) -> list[AlertHit]:
        """Store hits not stored yet; return what was new."""
        existing: set[tuple[int, uuid.UUID, str]] = set()
        query = select(alert_hits.c.trigger_id, alert_hits.c.case_id, alert_hits.c.subject)
        trigger_ids = sorted({h.trigger_id for h in hits})
        for start in range(0, len(trigger_ids), _CHUNK):
            chunk = trigger_ids[start : start + _CHUNK]
            existing.update(
                (int(t), c, s)
                for t, c, s in connection.execute(query.where(alert_hits.c.trigger_id.in_(chunk)))
            )
        new: dict[tuple[int, uuid.UUID, str], AlertHit] = {}
        for hit in hits:
            key = (hit.trigger_id, hit.case_id, hit.subject)
            if key not in existing:
                new.setdefault(key, hit)
        rows = [
            {
                "alert_id": h.alert_id,
                "trigger_id": h.trigger_id,
                "case_id": h.case_id,
                "agency_id": h.agency_id,
                "subject": h.subject,
                "distance": h.distance,
                "at": h.at or datetime.now(UTC),
            }
            for h in new.values()
        ]
        for start in range(0, len(rows), _CHUNK):
            connection.execute(alert_hits.insert(), rows[start : start + _CHUNK])
        return sorted(new.values())

    def hits(
        self,
        *,
        owner: uuid.UUID | None = None,
        hitter: uuid.UUID | None = None,
        case_id: uuid.UUID | None = None,
    ) -> list[AlertHit]:
        """Hits on the watches of agency ``owner`` or made by agency ``hitter`` (either, when
        both are given), or touching ``case_id`` (the hitting case or the watch's case)."""
        query = (
            select(alert_hits)
            .select_from(alert_hits.join(alerts, alerts.c.id == alert_hits.c.alert_id))
            .order_by(alert_hits.c.at, alert_hits.c.id)
        )
        sides = []
        if owner is not None:
            sides.append(alerts.c.agency_id == owner)
        if hitter is not None:
            sides.append(alert_hits.c.agency_id == hitter)
        if case_id is not None:
            sides += [alert_hits.c.case_id == case_id, alerts.c.case_id == case_id]
        if sides:
            query = query.where(or_(*sides))
        with reading(self._engine) as connection:
            return [_hit(row) for row in connection.execute(query)]
