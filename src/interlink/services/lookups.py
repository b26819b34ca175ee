"""Hash lookups against the enabled known lists: exact for cryptographic hashes, PDQ within
a distance (at most each list's threshold), answered with list, entry and category.

Each enabled list's indexes are built once per import of that list and kept by the
``LookupIndex`` the caller holds (one per server process, ``services.lookup_index``), so a
lookup costs one index query per enabled list and one read of the matched entries' records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import InvalidFieldError, TooLargeError
from interlink.domain.principal import Capability, Principal
from interlink.services.lookup_index import LookupIndex
from interlink.signals import pdq
from interlink.signals.registry import get as signal_type
from interlink.triage.known import EXACT_TYPES

__all__ = ["MAX_BATCH", "HashQuery", "LookupIndex", "LookupMatch", "LookupResult", "lookup"]

#: Most queries one batch may carry.
MAX_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class HashQuery:
    """One hash to look up; ``distance`` only for PDQ (default: each list's threshold)."""

    type: str
    value: str
    distance: int | None = None


@dataclass(frozen=True, slots=True)
class LookupMatch:
    """One list entry a hash matched."""

    list: str
    entry_id: int
    external_id: str | None
    category: str | None
    series: str | None
    signal_type: str
    distance: int


@dataclass(frozen=True, slots=True)
class LookupResult:
    """A query (normalised) and what it matched."""

    query: HashQuery
    matches: tuple[LookupMatch, ...]


def normalise(query: HashQuery, position: int | None = None) -> HashQuery:
    """The query with its value validated and normalised; ``InvalidFieldError`` naming the
    field (``queries[i].value``) otherwise."""
    where = "" if position is None else f"queries[{position}]."
    if query.type not in (*EXACT_TYPES, pdq.NAME):
        raise InvalidFieldError(f"{where}type", query.type, "not a hash type lookups answer")
    try:
        value = signal_type(query.type).validate(query.value)
    except ValueError as exc:
        raise InvalidFieldError(f"{where}value", query.value[:80], str(exc)) from None
    if query.distance is not None and (query.type != pdq.NAME or not 0 <= query.distance <= 64):
        raise InvalidFieldError(f"{where}distance", str(query.distance), "PDQ only, 0 to 64")
    return HashQuery(query.type, value, query.distance)


def _radius(asked: int | None, limit: int) -> int:
    return min(limit if asked is None else asked, 64)


def lookup(
    store: SqlStore,
    principal: Principal,
    index: LookupIndex,
    queries: Sequence[HashQuery],
    *,
    batch: bool = True,
) -> list[LookupResult]:
    """What each hash matches in the enabled lists (in the order asked). A bad query is an
    ``InvalidFieldError`` naming it (``queries[i].value`` in a batch, else ``value``)."""
    principal.require(Capability.LOOKUPS)
    if len(queries) > MAX_BATCH:
        raise TooLargeError("queries", MAX_BATCH, "queries")
    wanted = [normalise(q, i if batch else None) for i, q in enumerate(queries)]
    found: list[list[tuple[int, str, int]]] = [[] for _ in wanted]
    perceptual = [i for i, q in enumerate(wanted) if q.type == pdq.NAME]
    kinds = {q.type for q in wanted if q.type != pdq.NAME}
    for held in index.current(store):
        indexes, threshold = held.indexes, held.state.threshold
        if perceptual and len(indexes.pdq):
            radii = [_radius(wanted[i].distance, threshold) for i in perceptual]
            hits = indexes.pdq.query_batch([wanted[i].value for i in perceptual], radii)
            for i, pdq_row in zip(perceptual, hits, strict=True):
                found[i].extend((hit.id, pdq.NAME, hit.distance) for hit in pdq_row)
        for name in kinds:
            exact = indexes.exact.get(name)
            if exact is None:
                continue
            positions = [i for i, q in enumerate(wanted) if q.type == name]
            exact_hits = exact.query_batch([wanted[i].value for i in positions])
            for i, exact_row in zip(positions, exact_hits, strict=True):
                found[i].extend((hit.id, name, 0) for hit in exact_row)
    info = store.lists.info({entry for row in found for entry, _, _ in row})
    results = []
    for query, row in zip(wanted, found, strict=True):
        matches = []
        for entry_id, kind, distance in sorted(row, key=lambda m: (m[2], m[0])):
            entry = info.get(entry_id)
            if entry is None:
                continue
            matches.append(
                LookupMatch(
                    list=entry.list_name,
                    entry_id=entry_id,
                    external_id=None,
                    category=entry.category.display() if entry.category else None,
                    series=entry.series,
                    signal_type=kind,
                    distance=distance,
                )
            )
        results.append(LookupResult(query, tuple(matches)))
    return results
