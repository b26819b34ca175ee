"""What this node holds, as overlap queries see it: the hashes of chosen lists and of the
media of its cases, who to contact about each, and the media of one case (the seizure a
query is about)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import (
    agencies,
    cases,
    entry_signals,
    exhibits,
    hash_lists,
    list_entries,
    media,
    media_signals,
    sightings,
)
from interlink.domain.errors import NotFoundError

EXACT = ("md5", "sha1", "sha256")
PDQ = "pdq"


@dataclass(frozen=True, slots=True)
class Contact:
    """Whom to contact about a held item: the agency, and the case (or list) it is in."""

    agency: str
    reference: str
    source: str  # "case" or "list"


@dataclass(frozen=True, slots=True)
class SeizedItem:
    """One media of a seizure: its hashes and, for an image, its PDQ."""

    sha256: str
    md5: str
    sha1: str
    pdq: str | None


def _chunks(values: Sequence[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


class HoldingsRepository:
    """Read-only queries for private overlap."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def list_ids(self, names: Sequence[str]) -> list[int]:
        """The ids of the named lists this node has (unknown names are skipped)."""
        if not names:
            return []
        with reading(self._engine) as connection:
            rows = connection.execute(
                select(hash_lists.c.id).where(hash_lists.c.name.in_(list(names)))
            )
            return sorted(int(r.id) for r in rows)

    def state(self, list_ids: Sequence[int], with_cases: bool) -> tuple[int, ...]:
        """A value that changes whenever the held set may have changed (list generations,
        media count), to key cached PSI setups."""
        with reading(self._engine) as connection:
            generations = [
                int(g)
                for g in connection.execute(
                    select(hash_lists.c.generation)
                    .where(hash_lists.c.id.in_(list(list_ids)))
                    .order_by(hash_lists.c.id)
                ).scalars()
            ]
            held = 0
            if with_cases:
                held = int(
                    connection.execute(select(func.count()).select_from(sightings)).scalar_one()
                )
        return (*list_ids, *generations, held)

    def values(self, list_ids: Sequence[int], with_cases: bool, kind: str) -> set[str]:
        """Every value of signal type ``kind`` in the lists and (if ``with_cases``) in the
        media of the cases."""
        found: set[str] = set()
        with self._engine.connect() as connection:
            if list_ids:
                query = select(entry_signals.c.value).where(
                    entry_signals.c.list_id.in_(list(list_ids)), entry_signals.c.type == kind
                )
                found.update(
                    connection.execution_options(yield_per=50_000).execute(query).scalars()
                )
            if with_cases:
                if kind in EXACT:
                    column = media.c[kind]
                    query = select(column).where(
                        media.c.sha256.in_(select(sightings.c.sha256).distinct())
                    )
                else:
                    query = select(media_signals.c.value).where(
                        media_signals.c.type == kind,
                        media_signals.c.sha256.in_(select(sightings.c.sha256).distinct()),
                    )
                found.update(
                    connection.execution_options(yield_per=50_000).execute(query).scalars()
                )
        return found

    def contacts(
        self, list_ids: Sequence[int], with_cases: bool, kind: str, values: Sequence[str]
    ) -> dict[str, set[Contact]]:
        """For each held value of type ``kind``, whom to contact about it."""
        found: dict[str, set[Contact]] = {}
        with reading(self._engine) as connection:
            for chunk in _chunks(values):
                if list_ids:
                    query = (
                        select(
                            entry_signals.c.value,
                            func.coalesce(list_entries.c.agency, hash_lists.c.name).label("agency"),
                            hash_lists.c.name,
                        )
                        .select_from(
                            entry_signals.join(
                                list_entries, list_entries.c.id == entry_signals.c.entry_id
                            ).join(hash_lists, hash_lists.c.id == entry_signals.c.list_id)
                        )
                        .where(
                            entry_signals.c.list_id.in_(list(list_ids)),
                            entry_signals.c.type == kind,
                            entry_signals.c.value.in_(chunk),
                        )
                    )
                    for row in connection.execute(query):
                        found.setdefault(row.value, set()).add(
                            Contact(str(row.agency), str(row.name), "list")
                        )
                if with_cases:
                    if kind in EXACT:
                        media_query = select(media.c.sha256, media.c[kind].label("value")).where(
                            media.c[kind].in_(chunk)
                        )
                    else:
                        media_query = select(media_signals.c.sha256, media_signals.c.value).where(
                            media_signals.c.type == kind, media_signals.c.value.in_(chunk)
                        )
                    held = {str(r.sha256): str(r.value) for r in connection.execute(media_query)}
                    if not held:
                        continue
                    query = (
                        select(
                            sightings.c.sha256,
                            cases.c.name,
                            func.coalesce(agencies.c.name, "").label("agency"),
                        )
                        .select_from(
                            sightings.join(exhibits, exhibits.c.id == sightings.c.exhibit_id)
                            .join(cases, cases.c.id == exhibits.c.case_id)
                            .outerjoin(agencies, agencies.c.id == cases.c.agency_id)
                        )
                        .where(sightings.c.sha256.in_(list(held)))
                        .distinct()
                    )
                    for row in connection.execute(query):
                        found.setdefault(held[row.sha256], set()).add(
                            Contact(str(row.agency), str(row.name), "case")
                        )
        return found

    def seizure(self, case: str) -> list[SeizedItem]:
        """The media of the case ``case`` with their hashes and PDQ; ``NotFoundError`` if
        there is no such case."""
        with reading(self._engine) as connection:
            case_id = connection.execute(
                select(cases.c.id).where(cases.c.name == case)
            ).scalar_one_or_none()
            if case_id is None:
                raise NotFoundError("case", case)
            held = (
                select(sightings.c.sha256)
                .select_from(sightings.join(exhibits, exhibits.c.id == sightings.c.exhibit_id))
                .where(exhibits.c.case_id == case_id)
                .distinct()
                .subquery()
            )
            pdqs = {
                str(r.sha256): str(r.value)
                for r in connection.execute(
                    select(media_signals.c.sha256, media_signals.c.value).where(
                        media_signals.c.type == PDQ,
                        media_signals.c.sha256.in_(select(held.c.sha256)),
                    )
                )
            }
            rows = connection.execute(
                select(media.c.sha256, media.c.md5, media.c.sha1)
                .where(media.c.sha256.in_(select(held.c.sha256)))
                .order_by(media.c.sha256)
            )
            return [SeizedItem(r.sha256, r.md5, r.sha1, pdqs.get(r.sha256)) for r in rows]
