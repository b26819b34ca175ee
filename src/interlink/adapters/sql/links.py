"""Case links in the store, and the lookups by key that incremental linking runs on."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Connection, Engine, func, or_, select

from interlink.adapters.sql.casework_schema import case_links
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import exhibits, media, media_clues, media_signals, sightings
from interlink.linking.cases import Evidence, Holding, LinkKind, Located
from interlink.signals import pdq

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ExhibitMedia:
    """A media of an exhibit with what linking and watches need of it."""

    sha256: str
    md5: str
    sha1: str
    camera_key: str | None
    image_unique_id: str | None
    pdq: str | None
    pdq_quality: int | None
    pdq_variants: tuple[str, ...]
    latitude: float | None = None
    longitude: float | None = None


def unique_id_key(value: str | None) -> str | None:
    """An EXIF ImageUniqueID as compared (stripped, lower case); ``None`` for none or zeros."""
    key = (value or "").strip().lower()
    return key if key.strip("0") else None


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _holding_query(column: Column[Any]) -> Any:
    return (
        select(exhibits.c.case_id, column, sightings.c.sha256)
        .select_from(
            sightings.join(exhibits, exhibits.c.id == sightings.c.exhibit_id).join(
                media_clues, media_clues.c.sha256 == sightings.c.sha256, isouter=True
            )
        )
        .distinct()
    )


class LinkRepository:
    """Evidence joining cases, and where keys are held."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- what a new exhibit brings -----------------------------------------------------------

    def exhibit_media(self, exhibit_id: uuid.UUID) -> list[ExhibitMedia]:
        """The distinct media of an exhibit with their hashes, clue keys and PDQ."""
        query = (
            select(
                media.c.sha256,
                media.c.md5,
                media.c.sha1,
                media_clues.c.camera_key,
                media_clues.c.image_unique_id,
                media_clues.c.latitude,
                media_clues.c.longitude,
                media_signals.c.value,
                media_signals.c.quality,
                media_signals.c.variants,
            )
            .select_from(
                media.join(media_clues, media_clues.c.sha256 == media.c.sha256, isouter=True).join(
                    media_signals,
                    (media_signals.c.sha256 == media.c.sha256) & (media_signals.c.type == pdq.NAME),
                    isouter=True,
                )
            )
            .where(
                media.c.sha256.in_(
                    select(sightings.c.sha256).where(sightings.c.exhibit_id == exhibit_id)
                )
            )
            .order_by(media.c.sha256)
        )
        with reading(self._engine) as connection:
            return [
                ExhibitMedia(
                    row.sha256,
                    row.md5,
                    row.sha1,
                    row.camera_key,
                    row.image_unique_id,
                    row.value,
                    row.quality,
                    tuple(row.variants or ()),
                    row.latitude,
                    row.longitude,
                )
                for row in connection.execute(query)
            ]

    # -- who holds a key ---------------------------------------------------------------------

    def media_holdings(self, sha256s: Iterable[str]) -> list[Holding]:
        """Every case holding one of the media, keyed by SHA-256."""
        query = (
            select(exhibits.c.case_id, sightings.c.sha256)
            .select_from(sightings.join(exhibits, exhibits.c.id == sightings.c.exhibit_id))
            .distinct()
        )
        found: list[Holding] = []
        with reading(self._engine) as connection:
            for chunk in _chunks(sha256s):
                rows = connection.execute(query.where(sightings.c.sha256.in_(chunk)))
                found += [Holding(case, sha, sha) for case, sha in rows]
        return found

    def camera_holdings(self, keys: Iterable[str]) -> list[Holding]:
        """Every case holding media shot with one of the cameras, keyed by camera key."""
        query = _holding_query(media_clues.c.camera_key)
        found: list[Holding] = []
        with reading(self._engine) as connection:
            for chunk in _chunks(keys):
                rows = connection.execute(query.where(media_clues.c.camera_key.in_(chunk)))
                found += [Holding(case, key, sha) for case, key, sha in rows]
        return found

    def located_near(self, points: Iterable[tuple[float, float]], radius_m: float) -> list[Located]:
        """Every case's media whose GPS lies in the box of ``radius_m`` around any point (the
        caller keeps those truly within the radius)."""
        query = (
            select(
                exhibits.c.case_id,
                sightings.c.sha256,
                media_clues.c.latitude,
                media_clues.c.longitude,
            )
            .select_from(
                sightings.join(exhibits, exhibits.c.id == sightings.c.exhibit_id).join(
                    media_clues, media_clues.c.sha256 == sightings.c.sha256
                )
            )
            .distinct()
        )
        found: set[Located] = set()
        with self._engine.connect() as connection:
            for latitude, longitude in points:
                dlat = radius_m / 111_320.0
                dlon = radius_m / max(1.0, 111_320.0 * math.cos(math.radians(latitude)))
                rows = connection.execute(
                    query.where(
                        media_clues.c.latitude.between(latitude - dlat, latitude + dlat),
                        media_clues.c.longitude.between(longitude - dlon, longitude + dlon),
                    )
                )
                found.update(Located(case, sha, lat, lon) for case, sha, lat, lon in rows)
        return sorted(found, key=lambda item: (str(item.case), item.media))

    def unique_id_holdings(self, keys: Iterable[str]) -> list[Holding]:
        """Every case holding media with one of the ImageUniqueIDs (``unique_id_key``s),
        keyed by that key."""
        wanted = set(keys)
        # Stored as written: ask for the usual spellings so the column's index is used.
        spellings = wanted | {k.upper() for k in wanted}
        query = _holding_query(media_clues.c.image_unique_id)
        found: list[Holding] = []
        with reading(self._engine) as connection:
            for chunk in _chunks(spellings):
                for case, value, sha in connection.execute(
                    query.where(media_clues.c.image_unique_id.in_(chunk))
                ):
                    key = unique_id_key(value)
                    if key in wanted:
                        found.append(Holding(case, key, sha))
        return found

    def camera_serial_holdings(self, keys: Iterable[str]) -> list[Holding]:
        """Every case holding media shot with a camera of one of the serials, whatever its
        make; ``keys`` and the holdings' keys are ``*:SERIAL``."""
        query = _holding_query(media_clues.c.camera_key)
        found: list[Holding] = []
        with reading(self._engine) as connection:
            for key in sorted(set(keys)):
                serial = key.split(":", 1)[1]
                rows = connection.execute(query.where(media_clues.c.camera_key.like(f"%:{serial}")))
                found += [Holding(case, key, sha) for case, _, sha in rows]
        return found

    def media_by_signal(self, signal_type: str, values: Iterable[str]) -> list[tuple[str, str]]:
        """``(value, SHA-256)`` of every media having a signal of ``signal_type`` with one of
        the values."""
        query = select(media_signals.c.value, media_signals.c.sha256).where(
            media_signals.c.type == signal_type
        )
        found: set[tuple[str, str]] = set()
        with self._engine.connect() as connection:
            for chunk in _chunks(values):
                rows = connection.execute(query.where(media_signals.c.value.in_(chunk)))
                found.update((value, sha) for value, sha in rows)
        return sorted(found)

    def stored_pdqs(
        self, held_by_other_than: uuid.UUID | None = None
    ) -> Iterator[tuple[int, str, str, int | None, tuple[str, ...]]]:
        """Every stored media PDQ as ``(signal row id, SHA-256, value, quality, dihedral
        variants)``, streamed; with ``held_by_other_than``, only media some other case holds
        (a case is never linked with itself, so its own media need not be searched)."""
        columns = media_signals.c
        query = select(
            columns.id, columns.sha256, columns.value, columns.quality, columns.variants
        ).where(columns.type == pdq.NAME)
        if held_by_other_than is not None:
            others = (
                select(sightings.c.sha256)
                .select_from(sightings.join(exhibits, exhibits.c.id == sightings.c.exhibit_id))
                .where(exhibits.c.case_id != held_by_other_than)
            )
            query = query.where(columns.sha256.in_(others))
        with self._engine.connect() as connection:
            for row in connection.execution_options(yield_per=20_000).execute(query):
                yield int(row.id), row.sha256, row.value, row.quality, tuple(row.variants or ())

    def pdqs_at_least(self, count: int) -> bool:
        """Whether the store holds ``count`` media PDQs or more (reads at most that many
        index entries, not the table)."""
        query = (
            select(media_signals.c.id)
            .where(media_signals.c.type == pdq.NAME)
            .offset(max(count - 1, 0))
            .limit(1)
        )
        with reading(self._engine) as connection:
            return connection.execute(query).first() is not None

    def settled_signal_id(self) -> int:
        """The largest media signal row id such that no row with a smaller id can still
        appear: on PostgreSQL the table is locked in SHARE mode for the read, which waits
        for the transactions inserting into it (ids are taken in order but committed in any
        order) and holds new ones back meanwhile; SQLite has one writer at a time."""
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("LOCK TABLE media_signals IN SHARE MODE")
            found = connection.execute(select(func.max(media_signals.c.id))).scalar()
        return int(found or 0)

    def pdqs_between(self, after: int, upto: int) -> Iterator[tuple[int, str, str, int | None]]:
        """Stored media PDQs with row ids in (``after``, ``upto``] as ``(row id, SHA-256,
        value, quality)``, by id, streamed."""
        columns = media_signals.c
        query = (
            select(columns.id, columns.sha256, columns.value, columns.quality)
            .where(columns.type == pdq.NAME, columns.id > after, columns.id <= upto)
            .order_by(columns.id)
        )
        with self._engine.connect() as connection:
            for row in connection.execution_options(yield_per=50_000).execute(query):
                yield int(row.id), row.sha256, row.value, row.quality

    def signal_media(self, row_id: int) -> str | None:
        """The SHA-256 of the media of the signal row ``row_id``, if there is such a row."""
        query = select(media_signals.c.sha256).where(media_signals.c.id == row_id)
        with reading(self._engine) as connection:
            found = connection.execute(query).scalar()
        return None if found is None else str(found)

    def case_media(
        self,
        case_id: uuid.UUID,
        *,
        camera_key: str | None = None,
        unique_id: str | None = None,
        after: str | None = None,
        limit: int | None = None,
        only: Sequence[str] | None = None,
    ) -> dict[str, list[str]]:
        """The media of a case (those with a camera key or ImageUniqueID key, when given;
        those of ``only``, when given), each with the paths it was seen at, by SHA-256; with
        ``after`` or ``limit`` only the first ``limit`` media after ``after`` (keyset: the
        query cuts the page)."""
        query = (
            select(sightings.c.sha256, sightings.c.path)
            .select_from(
                sightings.join(exhibits, exhibits.c.id == sightings.c.exhibit_id).join(
                    media_clues, media_clues.c.sha256 == sightings.c.sha256, isouter=True
                )
            )
            .where(exhibits.c.case_id == case_id)
            .order_by(sightings.c.sha256, sightings.c.path)
        )
        if only is not None:
            query = query.where(sightings.c.sha256.in_(sorted(set(only))))
        if camera_key is not None:
            query = query.where(media_clues.c.camera_key == camera_key)
        if unique_id is not None:
            query = query.where(
                media_clues.c.image_unique_id.in_(sorted({unique_id, unique_id.upper()}))
            )
        if after is not None or limit is not None:
            held = (
                select(sightings.c.sha256)
                .select_from(sightings.join(exhibits, exhibits.c.id == sightings.c.exhibit_id))
                .where(exhibits.c.case_id == case_id)
                .distinct()
                .order_by(sightings.c.sha256)
                .limit(limit)
            )
            if after is not None:
                held = held.where(sightings.c.sha256 > after)
            page = held.subquery()
            query = query.where(sightings.c.sha256.in_(select(page.c.sha256)))
        found: dict[str, list[str]] = defaultdict(list)
        with reading(self._engine) as connection:
            for sha, path in connection.execute(query):
                found[sha].append(path)
        return dict(found)

    # -- evidence ----------------------------------------------------------------------------

    def add_evidence(self, connection: Connection, evidence: Sequence[Evidence]) -> list[Evidence]:
        """Store evidence not stored yet; return what was new."""
        existing: set[tuple[uuid.UUID, uuid.UUID, str, str]] = set()
        query = select(
            case_links.c.case_a, case_links.c.case_b, case_links.c.kind, case_links.c.key
        )
        for chunk in _chunks(e.key for e in evidence):
            existing.update(
                (a, b, kind, key)
                for a, b, kind, key in connection.execute(query.where(case_links.c.key.in_(chunk)))
            )
        new: dict[tuple[uuid.UUID, uuid.UUID, str, str], Evidence] = {}
        for item in evidence:
            ident = (item.case_a, item.case_b, item.kind.value, item.key)
            if ident not in existing:
                new.setdefault(ident, item)
        now = datetime.now(UTC)
        rows = [
            {
                "case_a": e.case_a,
                "case_b": e.case_b,
                "kind": e.kind.value,
                "key": e.key,
                "media_a": e.media_a,
                "media_b": e.media_b,
                "distance": e.distance,
                "found_at": now,
            }
            for e in new.values()
        ]
        for start in range(0, len(rows), _CHUNK):
            connection.execute(case_links.insert(), rows[start : start + _CHUNK])
        return sorted(new.values())

    def evidence(self, case_ids: Iterable[uuid.UUID]) -> list[Evidence]:
        """Every piece of evidence touching one of the cases."""
        found: dict[int, Evidence] = {}
        chunks = list(_chunks(case_ids))
        if not chunks:
            return []  # no connection checked out for nothing
        with reading(self._engine) as connection:
            for chunk in chunks:
                query = select(case_links).where(
                    or_(case_links.c.case_a.in_(chunk), case_links.c.case_b.in_(chunk))
                )
                for row in connection.execute(query):
                    found[row.id] = Evidence(
                        row.case_a,
                        row.case_b,
                        LinkKind(row.kind),
                        row.key,
                        row.media_a,
                        row.media_b,
                        row.distance,
                    )
        return sorted(found.values())

    def holders(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """For each (kind, key), how many cases its evidence joins."""
        wanted = set(keys)
        if not wanted:
            return {}  # no connection checked out for nothing
        cases: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
        query = select(
            case_links.c.kind, case_links.c.key, case_links.c.case_a, case_links.c.case_b
        )
        with self._engine.connect() as connection:
            for chunk in _chunks(key for _, key in wanted):
                for kind, key, a, b in connection.execute(query.where(case_links.c.key.in_(chunk))):
                    if (kind, key) in wanted:
                        cases[(kind, key)].update((a, b))
        return {pair: len(found) for pair, found in cases.items()}
