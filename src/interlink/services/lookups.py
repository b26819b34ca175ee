"""Hash lookups against the enabled known lists: exact for cryptographic hashes, PDQ within
a distance (at most each list's threshold), answered with list, entry and category.

Each enabled list's indexes are built once per import of that list and kept by the
``LookupIndex`` the caller holds (one per server process, ``services.lookup_index``), so a
lookup costs one index query per enabled list and reads nothing from the database (the
matched entries' labels are kept with the indexes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import InvalidFieldError, TooLargeError
from interlink.domain.principal import Capability, Principal
from interlink.index.base import CodeMatches
from interlink.index.codes import codes_from_hex
from interlink.services.lookup_index import EntryLabels, LookupIndex
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


#: How a lookup runs an index search: ``search(call)`` returns ``call()``, wherever it runs it.
Search = Callable[[Callable[[], CodeMatches]], CodeMatches]


def _here(call: Callable[[], CodeMatches]) -> CodeMatches:
    return call()


def _radius(asked: int | None, limit: int) -> int:
    return min(limit if asked is None else asked, 64)


def _collect(
    found: list[list[LookupMatch]],
    list_name: str,
    kind: str,
    owners: list[int],
    ids: npt.NDArray[np.int64],
    distances: npt.NDArray[np.int32],
    labels: EntryLabels,
) -> None:
    """Add each hit (query ``owners[j]`` matched entry ``ids[j]`` at ``distances[j]``) to its
    query's matches, with the entry's label; an entry without one (no longer in the list's
    labels) is left out. The labels are found for all the hits at once."""
    for owner, entry_id, distance, label in zip(
        owners, ids.tolist(), distances.tolist(), labels.get_many(ids), strict=True
    ):
        if label is not None:
            found[owner].append(
                LookupMatch(
                    list=list_name,
                    entry_id=entry_id,
                    external_id=None,
                    category=label.category,
                    series=label.series,
                    signal_type=kind,
                    distance=distance,
                )
            )


def lookup(
    store: SqlStore,
    principal: Principal,
    index: LookupIndex,
    queries: Sequence[HashQuery],
    *,
    batch: bool = True,
    search: Search | None = None,
) -> list[LookupResult]:
    """What each hash matches in the enabled lists (in the order asked). A bad query is an
    ``InvalidFieldError`` naming it (``queries[i].value`` in a batch, else ``value``).
    ``search`` runs each list's PDQ index search (a call without arguments) and returns its
    result: the server runs a batch's on a thread of lower CPU priority (``api/heavy.py``),
    the rest of the lookup staying in the caller's thread; by default it runs here."""
    principal.require(Capability.LOOKUPS)
    if len(queries) > MAX_BATCH:
        raise TooLargeError("queries", MAX_BATCH, "queries")
    wanted = [normalise(q, i if batch else None) for i, q in enumerate(queries)]
    found: list[list[LookupMatch]] = [[] for _ in wanted]
    perceptual = [i for i, q in enumerate(wanted) if q.type == pdq.NAME]
    kinds = {q.type for q in wanted if q.type != pdq.NAME}
    codes = codes_from_hex([wanted[i].value for i in perceptual]) if perceptual else None
    for held in index.current(store):
        indexes, labels, name = held.indexes, held.labels, held.state.name
        if codes is not None and len(indexes.pdq):
            radii = [_radius(wanted[i].distance, held.state.threshold) for i in perceptual]
            call = partial(indexes.pdq.query_codes, codes, np.asarray(radii, np.int64))
            matches = (search or _here)(call)
            owners = np.repeat(np.asarray(perceptual), np.diff(matches.starts)).tolist()
            _collect(found, name, pdq.NAME, owners, matches.ids, matches.distances, labels)
        for kind in kinds:
            exact = indexes.exact.get(kind)
            if exact is not None:
                positions = [i for i, q in enumerate(wanted) if q.type == kind]
                rows = exact.query_batch([wanted[i].value for i in positions])
                hits = [(i, hit) for i, row in zip(positions, rows, strict=True) for hit in row]
                _collect(
                    found,
                    name,
                    kind,
                    [i for i, _ in hits],
                    np.asarray([hit.id for _, hit in hits], np.int64),
                    np.asarray([hit.distance for _, hit in hits], np.int32),
                    labels,
                )
    results = [
        LookupResult(query, tuple(sorted(row, key=lambda m: (m.distance, m.entry_id))))
        for query, row in zip(wanted, found, strict=True)
    ]
    return results
