"""Scans, media, sightings, problems and matches in the store."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select, update

from interlink.adapters.sql.copy import write_ignore
from interlink.adapters.sql.dialect import insert_ignore
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.media_rows import clue_row, clues_of_row, utc, video_row
from interlink.adapters.sql.schema import (
    exhibits,
    media,
    media_clues,
    media_matches,
    media_signals,
    problems,
    scans,
    sightings,
    thumbnails,
    video_info,
)
from interlink.adapters.sql.signal_data import page_order, stored, value_of
from interlink.domain.clues import MediaClues, VideoInfo
from interlink.domain.media import MediaKind
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.domain.scan import EntryMatch, ProblemRecord, ScannedFile, SightingRecord


@lru_cache(maxsize=1 << 14)
def ref_key(ref: SourceRef) -> str:
    """``ref.key()``, remembered: a scan asks for it several times per item."""
    return ref.key()


@lru_cache(maxsize=1 << 14)
def ref_hash(ref: SourceRef) -> str:
    """The fixed-length key of a provenance reference (unique per exhibit)."""
    return hashlib.sha256(ref_key(ref).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """A scan of an exhibit: when, how it ended, with which options and summary."""

    id: uuid.UUID
    exhibit_id: uuid.UUID
    started_at: datetime
    finished_at: datetime | None
    status: str
    options: dict[str, Any]
    summary: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class SignalRow:
    """One stored signal of a media, with its PDQ dihedral variants when it has them."""

    type: str
    value: str
    quality: int | None
    variants: tuple[str, ...] = ()


class MediaRepository:
    """What scans write and what reports read."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # -- scans -------------------------------------------------------------------------------

    def open_scan(
        self, connection: Connection, exhibit_id: uuid.UUID, options: dict[str, Any]
    ) -> tuple[ScanRecord, bool]:
        """The unfinished scan of the exhibit to resume, or a new one; and whether it resumes."""
        row = connection.execute(
            select(scans)
            .where(scans.c.exhibit_id == exhibit_id, scans.c.status == "running")
            .order_by(scans.c.started_at.desc())
        ).first()
        if row is not None:
            return self._scan(row), True
        record = ScanRecord(
            uuid.uuid4(), exhibit_id, datetime.now(UTC), None, "running", options, None
        )
        connection.execute(
            scans.insert().values(
                id=record.id,
                exhibit_id=exhibit_id,
                started_at=record.started_at,
                status="running",
                options=options,
            )
        )
        return record, False

    def finish_scan(
        self, connection: Connection, scan_id: uuid.UUID, summary: dict[str, Any]
    ) -> None:
        """Mark a scan completed with its summary."""
        connection.execute(
            update(scans)
            .where(scans.c.id == scan_id)
            .values(status="completed", finished_at=datetime.now(UTC), summary=summary)
        )

    def scans_of(self, exhibit_id: uuid.UUID) -> list[ScanRecord]:
        """The scans of an exhibit, oldest first."""
        with reading(self._engine) as connection:
            rows = connection.execute(
                select(scans).where(scans.c.exhibit_id == exhibit_id).order_by(scans.c.started_at)
            )
            return [self._scan(row) for row in rows]

    @staticmethod
    def _scan(row: Any) -> ScanRecord:
        return ScanRecord(
            row.id,
            row.exhibit_id,
            utc(row.started_at) or datetime.now(UTC),
            utc(row.finished_at),
            row.status,
            dict(row.options or {}),
            row.summary,
        )

    def done_refs(self, exhibit_id: uuid.UUID) -> set[str]:
        """Ref hashes of every item of the exhibit already ingested (having a sighting).

        Problems are not counted: an item whose problem was recorded but whose sighting was not
        (a scan killed in between) must be ingested again; problems re-record idempotently.
        """
        with reading(self._engine) as connection:
            return set(
                connection.execute(
                    select(sightings.c.ref_hash).where(sightings.c.exhibit_id == exhibit_id)
                ).scalars()
            )

    # -- writing a batch ---------------------------------------------------------------------

    def record(
        self,
        connection: Connection,
        scan_id: uuid.UUID,
        exhibit_id: uuid.UUID,
        files: Sequence[tuple[int, ScannedFile]],
        lone_problems: Sequence[Problem],
    ) -> None:
        """Store one batch: media (once per content), signals, thumbnails, sightings with their
        sequence numbers, matches and problems. Re-recording an item changes nothing."""
        now = datetime.now(UTC)
        media_rows: dict[str, dict[str, Any]] = {}
        signal_rows: list[dict[str, Any]] = []
        thumb_rows: dict[str, dict[str, Any]] = {}
        sighting_rows: list[dict[str, Any]] = []
        match_rows: list[dict[str, Any]] = []
        problem_rows: list[dict[str, Any]] = []
        clue_rows: dict[str, dict[str, Any]] = {}
        video_rows: dict[str, dict[str, Any]] = {}
        for seq, item in files:
            m = item.media
            media_rows[m.sha256] = {
                "sha256": m.sha256,
                "md5": m.md5,
                "sha1": m.sha1,
                "size": m.size,
                "media_type": m.media_type,
                "kind": m.kind.value,
                "width": m.width,
                "height": m.height,
                "first_seen": now,
            }
            for signal in m.signals:
                signal_rows.append(
                    {
                        "sha256": m.sha256,
                        "type": signal.type,
                        **stored(signal.type, signal.value),
                        "quality": signal.quality,
                        "variants": list(item.pdq_variants)
                        if signal.type == "pdq" and item.pdq_variants
                        else None,
                    }
                )
            if item.thumbnail is not None:
                thumb_rows[m.sha256] = {"sha256": m.sha256, "jpeg": item.thumbnail}
            if item.clues is not None:
                clue_rows[m.sha256] = clue_row(m.sha256, item.clues)
            if item.video is not None:
                video_rows[m.sha256] = {"sha256": m.sha256, **video_row(item.video)}
            hashed = ref_hash(item.sighting.ref)
            sighting_rows.append(
                {
                    "exhibit_id": exhibit_id,
                    "scan_id": scan_id,
                    "sha256": m.sha256,
                    "ref_hash": hashed,
                    "ref_key": ref_key(item.sighting.ref),
                    "path": item.sighting.ref.display(),
                    "size": item.sighting.size,
                    "modified": item.sighting.modified,
                    "seq": seq,
                }
            )
            match_rows.extend(
                {
                    "sha256": m.sha256,
                    "entry_id": match.entry_id,
                    "list_id": match.list_id,
                    "signal_type": match.signal_type,
                    "distance": match.distance,
                }
                for match in item.matches
            )
            problem_rows.extend(
                self._problem_row(scan_id, exhibit_id, problem, ingested=True)
                for problem in item.problems
            )
        problem_rows.extend(
            self._problem_row(scan_id, exhibit_id, problem, ingested=False)
            for problem in lone_problems
        )
        write_ignore(connection, media, list(media_rows.values()), "sha256")
        signal_rows = page_order(signal_rows, connection.dialect.name)
        # Any of its unique indexes: (sha256, type, value), and one ORB value a media.
        write_ignore(connection, media_signals, signal_rows)
        write_ignore(connection, thumbnails, list(thumb_rows.values()), "sha256")
        write_ignore(connection, media_clues, list(clue_rows.values()), "sha256")
        write_ignore(connection, video_info, list(video_rows.values()), "sha256")
        write_ignore(connection, sightings, sighting_rows, "exhibit_id", "ref_hash")
        write_ignore(connection, media_matches, match_rows, "sha256", "entry_id", "signal_type")
        write_ignore(connection, problems, problem_rows, "exhibit_id", "ref_hash", "kind")
        # A problem the source reported before the item was analysed (a zero-byte file, say)
        # may have been committed in an earlier batch as not ingested; the item now is.
        ingested = [
            {"e": exhibit_id, "r": row["ref_hash"], "k": row["kind"]}
            for row in problem_rows
            if row["ingested"]
        ]
        if ingested:
            connection.execute(
                update(problems)
                .where(
                    problems.c.exhibit_id == bindparam("e"),
                    problems.c.ref_hash == bindparam("r"),
                    problems.c.kind == bindparam("k"),
                    problems.c.ingested.is_(False),
                )
                .values(ingested=True),
                ingested,
            )

    @staticmethod
    def _problem_row(
        scan_id: uuid.UUID, exhibit_id: uuid.UUID, problem: Problem, *, ingested: bool
    ) -> dict[str, Any]:
        return {
            "exhibit_id": exhibit_id,
            "scan_id": scan_id,
            "ref_hash": ref_hash(problem.ref),
            "ref_key": ref_key(problem.ref),
            "path": problem.ref.display(),
            "kind": problem.kind.value,
            "message": problem.message,
            "ingested": ingested,
        }

    # -- reading a case ----------------------------------------------------------------------

    def case_sightings(
        self, case_id: uuid.UUID, exhibit_id: uuid.UUID | None = None
    ) -> Iterator[SightingRecord]:
        """Every sighting of the case (or of one of its exhibits), in discovery order per
        exhibit."""
        query = (
            select(
                exhibits.c.name.label("exhibit"),
                sightings.c.ref_key,
                sightings.c.seq,
                sightings.c.modified,
                sightings.c.size.label("sighting_size"),
                media,
            )
            .select_from(
                sightings.join(exhibits, exhibits.c.id == sightings.c.exhibit_id).join(
                    media, media.c.sha256 == sightings.c.sha256
                )
            )
            .where(exhibits.c.case_id == case_id)
            .order_by(exhibits.c.name, sightings.c.seq)
        )
        if exhibit_id is not None:
            query = query.where(exhibits.c.id == exhibit_id)
        with self._engine.connect() as connection:
            for row in connection.execution_options(yield_per=5000).execute(query):
                yield SightingRecord(
                    exhibit=row.exhibit,
                    ref=SourceRef.from_key(row.ref_key),
                    seq=row.seq,
                    sha256=row.sha256,
                    md5=row.md5,
                    sha1=row.sha1,
                    size=row.size,
                    media_type=row.media_type,
                    kind=MediaKind(row.kind),
                    width=row.width,
                    height=row.height,
                    modified=utc(row.modified),
                )

    def case_problems(
        self, case_id: uuid.UUID, exhibit_id: uuid.UUID | None = None
    ) -> list[ProblemRecord]:
        """Every problem recorded for the case's exhibits (or one of them)."""
        query = (
            select(exhibits.c.name.label("exhibit"), problems)
            .select_from(problems.join(exhibits, exhibits.c.id == problems.c.exhibit_id))
            .where(exhibits.c.case_id == case_id)
            .order_by(exhibits.c.name, problems.c.id)
        )
        if exhibit_id is not None:
            query = query.where(exhibits.c.id == exhibit_id)
        with reading(self._engine) as connection:
            return [
                ProblemRecord(
                    row.exhibit,
                    Problem(SourceRef.from_key(row.ref_key), ProblemKind(row.kind), row.message),
                    row.ingested,
                )
                for row in connection.execute(query)
            ]

    def signals_of(
        self, sha256s: Sequence[str], signal_type: str
    ) -> dict[str, tuple[str, int | None, tuple[str, ...]]]:
        """For each media, its signal of ``signal_type``: (value, quality, dihedral variants)."""
        found: dict[str, tuple[str, int | None, tuple[str, ...]]] = {}
        if not sha256s:
            return found  # no connection checked out for nothing
        with reading(self._engine) as connection:
            for start in range(0, len(sha256s), 500):
                rows = connection.execute(
                    select(media_signals).where(
                        media_signals.c.type == signal_type,
                        media_signals.c.sha256.in_(sha256s[start : start + 500]),
                    )
                )
                for row in rows:
                    value = value_of(row.value, row.data)
                    found[row.sha256] = (value, row.quality, tuple(row.variants or ()))
        return found

    def matches_of(self, sha256s: Sequence[str]) -> dict[str, list[tuple[int, int, str, int]]]:
        """For each media, its matches as (entry id, list id, signal type, distance)."""
        found: dict[str, list[tuple[int, int, str, int]]] = {}
        if not sha256s:
            return found  # no connection checked out for nothing
        with reading(self._engine) as connection:
            for start in range(0, len(sha256s), 500):
                rows = connection.execute(
                    select(media_matches).where(
                        media_matches.c.sha256.in_(sha256s[start : start + 500])
                    )
                )
                for row in rows:
                    found.setdefault(row.sha256, []).append(
                        (row.entry_id, row.list_id, row.signal_type, row.distance)
                    )
        return found

    def clues_of(self, sha256s: Sequence[str]) -> dict[str, MediaClues]:
        """The stored clues of each media that has any."""
        found: dict[str, MediaClues] = {}
        if not sha256s:
            return found  # no connection checked out for nothing
        with reading(self._engine) as connection:
            for start in range(0, len(sha256s), 500):
                rows = connection.execute(
                    select(media_clues).where(
                        media_clues.c.sha256.in_(sha256s[start : start + 500])
                    )
                )
                for row in rows:
                    found[row.sha256] = clues_of_row(row)
        return found

    def videos_of(self, sha256s: Sequence[str]) -> dict[str, VideoInfo]:
        """The stored properties of each video among the media."""
        found: dict[str, VideoInfo] = {}
        if not sha256s:
            return found  # no connection checked out for nothing
        query = select(video_info, media.c.width, media.c.height).select_from(
            video_info.join(media, media.c.sha256 == video_info.c.sha256)
        )
        with reading(self._engine) as connection:
            for start in range(0, len(sha256s), 500):
                chunk = sha256s[start : start + 500]
                for row in connection.execute(query.where(video_info.c.sha256.in_(chunk))):
                    found[row.sha256] = VideoInfo(
                        container=row.container,
                        codec=row.codec,
                        width=row.width or 0,
                        height=row.height or 0,
                        fps=row.fps,
                        duration=row.duration,
                        frames_seen=row.frames_seen,
                        every_seconds=row.every_seconds,
                        sampled=row.sampled,
                    )
        return found

    def all_signals(self, types: Sequence[str]) -> Iterator[tuple[str, list[SignalRow]]]:
        """Every stored media with its signals of the given types, one media at a time (for
        matching the whole store against a list)."""
        query = (
            select(media_signals)
            .where(media_signals.c.type.in_(list(types)))
            .order_by(media_signals.c.sha256, media_signals.c.id)
        )
        current: str | None = None
        rows: list[SignalRow] = []
        with self._engine.connect() as connection:
            for row in connection.execution_options(yield_per=10_000).execute(query):
                if row.sha256 != current:
                    if current is not None:
                        yield current, rows
                    current, rows = row.sha256, []
                value = value_of(row.value, row.data)
                rows.append(SignalRow(row.type, value, row.quality, tuple(row.variants or ())))
        if current is not None:
            yield current, rows

    def add_matches(
        self, connection: Connection, matches: Sequence[tuple[str, EntryMatch]]
    ) -> None:
        """Record matches of stored media (idempotent)."""
        insert_ignore(
            connection,
            media_matches,
            [
                {
                    "sha256": sha256,
                    "entry_id": m.entry_id,
                    "list_id": m.list_id,
                    "signal_type": m.signal_type,
                    "distance": m.distance,
                }
                for sha256, m in matches
            ],
            "sha256",
            "entry_id",
            "signal_type",
        )

    def thumbnail(self, sha256: str) -> bytes | None:
        """The stored clear thumbnail of a media (show it only through the wellness view)."""
        with reading(self._engine) as connection:
            value = connection.execute(
                select(thumbnails.c.jpeg).where(thumbnails.c.sha256 == sha256)
            ).scalar()
        return None if value is None else bytes(value)
