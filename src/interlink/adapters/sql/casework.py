"""Operations, series, victims, suspects and case identifiers in the store."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from interlink.adapters.sql.casework_schema import (
    case_identifiers,
    operation_cases,
    operations,
    series,
    series_victims,
    suspects,
    victims,
)
from interlink.adapters.sql.dialect import insert_ignore
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import entry_signals, list_entries, media_matches
from interlink.adapters.sql.signal_data import value_of
from interlink.domain.cases import (
    Identifier,
    IdentifierKind,
    Operation,
    Series,
    Suspect,
    SuspectStatus,
    Victim,
    VictimStatus,
    series_key,
)
from interlink.domain.errors import NotFoundError

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoredIdentifier:
    """An identifier of a case as stored: its row id, case, record and normalised key."""

    id: int
    case_id: uuid.UUID
    identifier: Identifier
    key: str


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


class CaseworkRepository:
    """What investigators record around cases: operations, series, victims, suspects and
    identifiers."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- operations --------------------------------------------------------------------------

    def add_operation(self, connection: Connection, operation: Operation) -> None:
        """Store a new operation."""
        connection.execute(
            operations.insert().values(
                id=operation.id,
                name=operation.name,
                description=operation.description,
                created_at=operation.created_at or datetime.now(UTC),
            )
        )

    def operation(self, name: str) -> Operation:
        """The operation called ``name``; raise ``NotFoundError`` if there is none."""
        with reading(self._engine) as connection:
            row = connection.execute(select(operations).where(operations.c.name == name)).first()
        if row is None:
            raise NotFoundError("operation", name)
        return Operation(row.id, row.name, row.description, _utc(row.created_at))

    def operations(self) -> list[Operation]:
        """Every operation, by name."""
        with reading(self._engine) as connection:
            rows = connection.execute(select(operations).order_by(operations.c.name))
            return [Operation(r.id, r.name, r.description, _utc(r.created_at)) for r in rows]

    def add_to_operation(
        self, connection: Connection, operation_id: uuid.UUID, case_id: uuid.UUID
    ) -> bool:
        """Put a case in an operation; return whether it was not there yet."""
        row = connection.execute(
            select(operation_cases.c.case_id).where(
                operation_cases.c.operation_id == operation_id,
                operation_cases.c.case_id == case_id,
            )
        ).first()
        if row is not None:
            return False
        connection.execute(
            operation_cases.insert().values(
                operation_id=operation_id, case_id=case_id, added_at=datetime.now(UTC)
            )
        )
        return True

    def operation_case_ids(self, operation_id: uuid.UUID) -> list[uuid.UUID]:
        """The ids of the cases in an operation."""
        query = select(operation_cases.c.case_id).where(
            operation_cases.c.operation_id == operation_id
        )
        with reading(self._engine) as connection:
            return sorted(connection.execute(query).scalars())

    # -- series ------------------------------------------------------------------------------

    def ensure_series(self, connection: Connection, name: str) -> tuple[Series, bool]:
        """The series called ``name`` (compared by ``series_key``), created if missing."""
        row = connection.execute(select(series).where(series.c.key == series_key(name))).first()
        if row is not None:
            return Series(row.id, row.name, row.description, _utc(row.created_at)), False
        record = Series(uuid.uuid4(), name.strip(), "", datetime.now(UTC))
        connection.execute(
            series.insert().values(
                id=record.id,
                name=record.name,
                key=record.key,
                description="",
                created_at=record.created_at,
            )
        )
        return record, True

    def series_named(self, keys: Iterable[str]) -> dict[str, Series]:
        """The stored series among the given series keys, by key."""
        found: dict[str, Series] = {}
        chunks = list(_chunks(keys))
        if not chunks:
            return found  # no connection checked out for nothing
        with reading(self._engine) as connection:
            for chunk in chunks:
                for row in connection.execute(select(series).where(series.c.key.in_(chunk))):
                    found[row.key] = Series(row.id, row.name, row.description, row.created_at)
        return found

    def list_series(self, list_id: int) -> list[str]:
        """The distinct series names the entries of a list give."""
        query = (
            select(list_entries.c.series)
            .where(list_entries.c.list_id == list_id, list_entries.c.series.is_not(None))
            .distinct()
        )
        with reading(self._engine) as connection:
            return sorted(str(name) for name in connection.execute(query).scalars() if name)

    def series_of_media(self, sha256s: Sequence[str]) -> dict[str, set[str]]:
        """For each media, the series keys of the list entries it matched."""
        found: dict[str, set[str]] = defaultdict(set)
        if not sha256s:
            return found  # no connection checked out for nothing
        query = select(media_matches.c.sha256, list_entries.c.series).select_from(
            media_matches.join(list_entries, list_entries.c.id == media_matches.c.entry_id)
        )
        with reading(self._engine) as connection:
            for chunk in _chunks(sha256s):
                rows = connection.execute(
                    query.where(
                        media_matches.c.sha256.in_(chunk), list_entries.c.series.is_not(None)
                    )
                )
                for sha, name in rows:
                    if name and series_key(name):
                        found[sha].add(series_key(name))
        return dict(found)

    def series_media(self, keys: Iterable[str]) -> list[tuple[str, str]]:
        """``(SHA-256, series key)`` of every stored media that matched a list entry of one of
        the series."""
        wanted = set(keys)
        names_query = select(list_entries.c.series).where(list_entries.c.series.is_not(None))
        query = (
            select(media_matches.c.sha256, list_entries.c.series)
            .select_from(
                media_matches.join(list_entries, list_entries.c.id == media_matches.c.entry_id)
            )
            .distinct()
        )
        found: set[tuple[str, str]] = set()
        with self._engine.connect() as connection:
            names = {str(n) for n in connection.execute(names_query.distinct()).scalars()}
            spelled = [n for n in names if series_key(n) in wanted]
            for chunk in _chunks(spelled):
                rows = connection.execute(query.where(list_entries.c.series.in_(chunk)))
                found.update((sha, series_key(name)) for sha, name in rows)
        return sorted(found)

    def series_entry_signals(
        self, list_id: int, keys: Iterable[str]
    ) -> list[tuple[str, str, str, int | None]]:
        """``(series key, signal type, value, quality)`` of every entry of the list whose
        series is one of ``keys``."""
        wanted = set(keys)
        query = select(
            list_entries.c.series,
            entry_signals.c.type,
            entry_signals.c.value,
            entry_signals.c.quality,
            entry_signals.c.data,
        ).select_from(
            entry_signals.join(list_entries, list_entries.c.id == entry_signals.c.entry_id)
        )
        query = query.where(list_entries.c.list_id == list_id, list_entries.c.series.is_not(None))
        with reading(self._engine) as connection:
            return [
                (series_key(name), kind, value_of(value, data), quality)
                for name, kind, value, quality, data in connection.execute(query)
                if series_key(name) in wanted
            ]

    # -- victims and suspects ----------------------------------------------------------------

    def add_victim(self, connection: Connection, victim: Victim) -> None:
        """Store a new victim and its series (which must exist)."""
        connection.execute(
            victims.insert().values(
                id=victim.id,
                pseudonym=victim.pseudonym,
                agency_id=victim.agency_id,
                case_id=victim.case_id,
                status=victim.status.value,
                created_at=victim.created_at or datetime.now(UTC),
            )
        )
        for name in victim.series:
            record, _ = self.ensure_series(connection, name)
            insert_ignore(
                connection,
                series_victims,
                [{"series_id": record.id, "victim_id": victim.id}],
                "series_id",
                "victim_id",
            )

    def set_victim_status(self, connection: Connection, victim: Victim) -> None:
        """Store a victim's new status."""
        connection.execute(
            update(victims).where(victims.c.id == victim.id).values(status=victim.status.value)
        )

    def victims(
        self,
        *,
        agency_id: uuid.UUID | None = None,
        case_ids: Iterable[uuid.UUID] | None = None,
        series_keys: Iterable[str] | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Victim]:
        """Victims by pseudonym, optionally only of one agency, of some cases or seen in some
        series; with ``after`` or ``limit`` only the first ``limit`` after pseudonym ``after``
        (keyset: the query cuts the page; pseudonyms are unique within an agency)."""
        query = select(victims).order_by(victims.c.pseudonym, victims.c.id).limit(limit)
        if after is not None:
            query = query.where(victims.c.pseudonym > after)
        if agency_id is not None:
            query = query.where(victims.c.agency_id == agency_id)
        if case_ids is not None:
            wanted_cases = sorted(set(case_ids))
            if not wanted_cases:
                return []  # no connection checked out for nothing
            query = query.where(victims.c.case_id.in_(wanted_cases))
        if series_keys is not None:
            wanted_series = sorted(set(series_keys))
            if not wanted_series:
                return []  # no connection checked out for nothing
            in_series = (
                select(series_victims.c.victim_id)
                .join(series, series.c.id == series_victims.c.series_id)
                .where(series.c.key.in_(wanted_series))
            )
            query = query.where(victims.c.id.in_(in_series))
        with reading(self._engine) as connection:
            rows = list(connection.execute(query))
            names: dict[uuid.UUID, list[str]] = defaultdict(list)
            links = select(series_victims.c.victim_id, series.c.name).join(
                series, series.c.id == series_victims.c.series_id
            )
            for chunk in _chunks(row.id for row in rows):
                for victim_id, name in connection.execute(
                    links.where(series_victims.c.victim_id.in_(chunk))
                ):
                    names[victim_id].append(name)
        return [
            Victim(
                row.id,
                row.pseudonym,
                row.agency_id,
                VictimStatus(row.status),
                row.case_id,
                tuple(sorted(names[row.id])),
                _utc(row.created_at),
            )
            for row in rows
        ]

    def add_suspect(self, connection: Connection, suspect: Suspect) -> None:
        """Store a new suspect."""
        connection.execute(
            suspects.insert().values(
                id=suspect.id,
                pseudonym=suspect.pseudonym,
                agency_id=suspect.agency_id,
                case_id=suspect.case_id,
                status=suspect.status.value,
                created_at=suspect.created_at or datetime.now(UTC),
            )
        )

    def set_suspect_status(self, connection: Connection, suspect: Suspect) -> None:
        """Store a suspect's new status."""
        connection.execute(
            update(suspects).where(suspects.c.id == suspect.id).values(status=suspect.status.value)
        )

    def suspects(
        self,
        *,
        agency_id: uuid.UUID | None = None,
        case_ids: Iterable[uuid.UUID] | None = None,
    ) -> list[Suspect]:
        """Suspects, optionally only of one agency or of some cases."""
        query = select(suspects).order_by(suspects.c.pseudonym)
        if agency_id is not None:
            query = query.where(suspects.c.agency_id == agency_id)
        if case_ids is not None:
            query = query.where(suspects.c.case_id.in_(sorted(set(case_ids))))
        with reading(self._engine) as connection:
            return [
                Suspect(
                    row.id,
                    row.pseudonym,
                    row.agency_id,
                    SuspectStatus(row.status),
                    row.case_id,
                    _utc(row.created_at),
                )
                for row in connection.execute(query)
            ]

    # -- identifiers -------------------------------------------------------------------------

    def add_identifier(
        self, connection: Connection, case_id: uuid.UUID, identifier: Identifier, key: str
    ) -> int | None:
        """Store an identifier of a case under its key; return its row id, or ``None`` when
        the case already holds the same identifier (same key and time)."""
        seen = _utc(identifier.seen_at)
        query = select(case_identifiers.c.id, case_identifiers.c.seen_at).where(
            case_identifiers.c.case_id == case_id, case_identifiers.c.key == key
        )
        if any(_utc(row.seen_at) == seen for row in connection.execute(query)):
            return None
        result = connection.execute(
            case_identifiers.insert()
            .values(
                case_id=case_id,
                kind=identifier.kind.value,
                value=identifier.value,
                service=identifier.service,
                port=identifier.port,
                seen_at=seen,
                key=key,
                created_at=datetime.now(UTC),
            )
            .returning(case_identifiers.c.id)
        )
        return int(result.scalar_one())

    def identifiers(
        self,
        *,
        case_ids: Iterable[uuid.UUID] | None = None,
        keys: Iterable[str] | None = None,
    ) -> list[StoredIdentifier]:
        """Stored identifiers of some cases, or under some keys (or both)."""
        conditions = []
        if case_ids is not None:
            conditions.append(case_identifiers.c.case_id.in_(sorted(set(case_ids))))
        if keys is not None:
            conditions.append(case_identifiers.c.key.in_(sorted(set(keys))))
        return self._identifiers(*conditions)

    def _identifiers(self, *conditions: Any) -> list[StoredIdentifier]:
        query = select(case_identifiers).where(*conditions).order_by(case_identifiers.c.id)
        with reading(self._engine) as connection:
            return [
                StoredIdentifier(
                    row.id,
                    row.case_id,
                    Identifier(
                        IdentifierKind(row.kind),
                        row.value,
                        row.service,
                        row.port,
                        _utc(row.seen_at),
                    ),
                    row.key,
                )
                for row in connection.execute(query)
            ]

    def identifiers_of_address(self, any_port_keys: Iterable[str]) -> list[StoredIdentifier]:
        """Stored IP identifiers of the addresses of ``ip:ADDRESS|*`` keys, on any port."""
        found: list[StoredIdentifier] = []
        for key in sorted(set(any_port_keys)):
            prefix = key[: -len("*")]
            found += [s for s in self._identifiers(case_identifiers.c.key.like(f"{prefix}%"))]
        return found

    def identifier_count(self, case_ids: Iterable[uuid.UUID]) -> int:
        """How many identifiers the cases hold."""
        query = select(func.count()).where(case_identifiers.c.case_id.in_(sorted(set(case_ids))))
        with reading(self._engine) as connection:
            return int(connection.execute(query).scalar_one())
