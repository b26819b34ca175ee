"""Links between cases: what two cases share, kept as evidence, the strength of each link, and
the clusters linked cases form. Pure functions over records.

Two cases are linked by the same media (SHA-256), near-duplicate images (PDQ within the
threshold, any of the 8 dihedral variants), one camera (normalised make and serial), one EXIF
ImageUniqueID, or one identifier (e-mail, phone, account, device, or IP and port seen within
``IP_WINDOW``). Linking is incremental: the caller gives what a new scan or identifier brings
and what the store holds under the same keys (looked up by key), and for PDQ a Hamming index
(``interlink.index``) of the stored hashes; nothing compares all media with all media.

Strength: each piece of evidence weighs ``WEIGHTS[kind]`` (less for a far near-duplicate or a
loosely timed IP), divided by the number of other cases holding the same key, so material
every case holds links weakly; a link's strength is the noisy-or ``1 - prod(1 - weight)``. A
key held by more than ``MAX_HOLDERS`` cases gives no new evidence at all.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from interlink.linking.clues import haversine_m
from interlink.linking.identifiers import same_subscriber
from interlink.signals import pdq

if TYPE_CHECKING:
    from interlink.index.base import SignalIndex


class LinkKind(StrEnum):
    """What two cases share."""

    SHARED_MEDIA = "shared_media"
    NEAR_DUPLICATE = "near_duplicate"
    CAMERA = "camera"
    IMAGE_UNIQUE_ID = "image_unique_id"
    IDENTIFIER = "identifier"
    PLACE = "place"


WEIGHTS: Mapping[LinkKind, float] = {
    LinkKind.SHARED_MEDIA: 0.5,
    LinkKind.NEAR_DUPLICATE: 0.4,
    LinkKind.CAMERA: 0.8,
    LinkKind.IMAGE_UNIQUE_ID: 0.5,
    LinkKind.IDENTIFIER: 0.8,
    LinkKind.PLACE: 0.6,
}
#: Media taken this close (metres, by their GPS) link their cases by place.
PLACE_RADIUS_M = 100.0
#: Keys held by more cases than this (viral material, a platform's shared IP) link nobody new.
MAX_HOLDERS = 50
#: The distance of IP evidence when one of the two sightings has no time.
UNKNOWN_TIME = -1


@dataclass(frozen=True, slots=True, order=True)
class Evidence:
    """One fact two cases share, ``case_a`` < ``case_b``: its kind, the shared ``key`` (a
    SHA-256, a pair of SHA-256s joined by ``~``, a camera key, an ImageUniqueID or an
    identifier key), the media of each side when it is one media, and the distance (PDQ bits;
    minutes between IP sightings, ``UNKNOWN_TIME`` when one has none; else 0)."""

    case_a: UUID
    case_b: UUID
    kind: LinkKind
    key: str
    media_a: str | None = None
    media_b: str | None = None
    distance: int = 0

    def media_of(self, case: UUID) -> str | None:
        """The media on ``case``'s side."""
        return self.media_a if case == self.case_a else self.media_b


def evidence_between(
    case: UUID,
    other: UUID,
    kind: LinkKind,
    key: str,
    media: str | None = None,
    other_media: str | None = None,
    distance: int = 0,
) -> Evidence:
    """Evidence that ``case`` and ``other`` share ``key``, with the pair put in order."""
    if case == other:
        raise ValueError("a case is not linked with itself")
    if case < other:
        return Evidence(case, other, kind, key, media, other_media, distance)
    return Evidence(other, case, kind, key, other_media, media, distance)


@dataclass(frozen=True, slots=True)
class Holding:
    """A case holds ``key`` (a SHA-256, camera key or ImageUniqueID), through ``media``."""

    case: UUID
    key: str
    media: str | None = None


def _holders(stored: Iterable[Holding]) -> dict[str, dict[UUID, str | None]]:
    found: dict[str, dict[UUID, str | None]] = defaultdict(dict)
    for holding in sorted(stored, key=lambda h: (h.key, h.case, h.media or "")):
        found[holding.key].setdefault(holding.case, holding.media)
    return found


def shared_keys(
    kind: LinkKind,
    case: UUID,
    new: Iterable[Holding],
    stored: Iterable[Holding],
    *,
    max_holders: int = MAX_HOLDERS,
) -> list[Evidence]:
    """Evidence that ``case`` shares keys of ``new`` with the other cases of ``stored``.

    One piece per (other case, key), naming one media of each side; holdings of ``case``
    itself in ``stored`` are ignored; a key held by more than ``max_holders`` cases gives none.
    """
    mine: dict[str, str | None] = {}
    for holding in sorted(new, key=lambda h: (h.key, h.media or "")):
        mine.setdefault(holding.key, holding.media)
    others = _holders(stored)
    found: list[Evidence] = []
    for key, media in sorted(mine.items()):
        holders = {c: m for c, m in others.get(key, {}).items() if c != case}
        if not holders or len(holders) + 1 > max_holders:
            continue
        found.extend(
            evidence_between(case, other, kind, key, media, holders[other])
            for other in sorted(holders)
        )
    return found


@dataclass(frozen=True, slots=True)
class PdqMedia:
    """A media's PDQ as its variants to query with (the 8 dihedral hashes, or the hash)."""

    sha256: str
    variants: tuple[str, ...]


def near_pairs(
    queries: Sequence[PdqMedia],
    index: SignalIndex,
    media_of: Mapping[int, str],
    *,
    threshold: int = pdq.THRESHOLD,
) -> list[tuple[str, str, int]]:
    """``(query media, stored media, distance)`` for every stored media of ``index`` (ids
    mapped to SHA-256s by ``media_of``) within ``threshold`` of any variant of a query, itself
    left out; each pair once, with its smallest distance."""
    best: dict[tuple[str, str], int] = {}
    for query in queries:
        for hit in index.query_variants(query.variants, threshold):
            other = media_of[hit.id]
            if other == query.sha256:
                continue
            pair = (query.sha256, other)
            best[pair] = min(hit.distance, best.get(pair, hit.distance))
    return sorted((a, b, d) for (a, b), d in best.items())


def pair_key(first: str, second: str) -> str:
    """The key of a near-duplicate pair, the same whichever side it is read from."""
    return "~".join(sorted((first, second)))


def near_duplicate_evidence(
    case: UUID,
    pairs: Iterable[tuple[str, str, int]],
    stored: Iterable[Holding],
    *,
    max_holders: int = MAX_HOLDERS,
) -> list[Evidence]:
    """Evidence that ``case`` holds a near-duplicate (``pairs`` from ``near_pairs``: this
    case's media, the other media, distance) of a media another case holds.

    ``stored`` gives the cases holding each media of the pairs (both sides): a case that also
    holds this case's media itself is linked by that shared media, not by a near-duplicate.
    """
    holders = _holders(stored)
    found: dict[tuple[UUID, str], Evidence] = {}
    for mine, theirs, distance in pairs:
        cases = set(holders.get(theirs, {})) - set(holders.get(mine, {})) - {case}
        if len(cases) + 1 > max_holders:
            continue
        key = pair_key(mine, theirs)
        for other in cases:
            current = found.get((other, key))
            if current is None or distance < current.distance:
                found[(other, key)] = evidence_between(
                    case, other, LinkKind.NEAR_DUPLICATE, key, mine, theirs, distance
                )
    return sorted(found.values())


@dataclass(frozen=True, slots=True)
class IdentifierHolding:
    """A case holds the identifier ``key``, seen at ``seen_at`` (IPs) when known."""

    case: UUID
    key: str
    seen_at: datetime | None = None


def _ip_distance(first: datetime | None, second: datetime | None) -> int | None:
    close = same_subscriber(first, second)
    if close is None:
        return UNKNOWN_TIME
    if not close or first is None or second is None:
        return None
    return int(abs(first - second).total_seconds() // 60)


def shared_identifiers(
    case: UUID,
    new: Iterable[IdentifierHolding],
    stored: Iterable[IdentifierHolding],
    *,
    max_holders: int = MAX_HOLDERS,
) -> list[Evidence]:
    """Evidence that ``case`` shares identifiers of ``new`` with other cases of ``stored``.

    IP keys also need the two sightings within ``IP_WINDOW`` (or one of them without a time,
    which weighs less); the closest pair of sightings is kept.
    """
    by_key: dict[str, list[IdentifierHolding]] = defaultdict(list)
    for holding in stored:
        if holding.case != case:
            by_key[holding.key].append(holding)
    found: dict[tuple[UUID, str], Evidence] = {}
    for mine in new:
        others = by_key.get(mine.key, [])
        if len({h.case for h in others}) + 1 > max_holders:
            continue
        for theirs in others:
            distance: int | None = 0
            if mine.key.startswith("ip:"):
                distance = _ip_distance(mine.seen_at, theirs.seen_at)
            if distance is None:
                continue
            current = found.get((theirs.case, mine.key))
            if current is None or _closer(distance, current.distance):
                found[(theirs.case, mine.key)] = evidence_between(
                    case, theirs.case, LinkKind.IDENTIFIER, mine.key, distance=distance
                )
    return sorted(found.values())


def _closer(distance: int, current: int) -> bool:
    if current == UNKNOWN_TIME:
        return distance != UNKNOWN_TIME
    return distance != UNKNOWN_TIME and distance < current


def weight(evidence: Evidence, holders: int = 2) -> float:
    """The weight of one piece of evidence whose key ``holders`` cases hold (see module)."""
    value = WEIGHTS[evidence.kind]
    if evidence.kind is LinkKind.NEAR_DUPLICATE:
        value *= 1 - evidence.distance / (2 * (pdq.THRESHOLD + 1))
    elif evidence.kind is LinkKind.IDENTIFIER and evidence.key.startswith("ip:"):
        if evidence.key.endswith("|-"):
            value *= 0.5
        if evidence.distance == UNKNOWN_TIME:
            value *= 0.5
    return value / max(1, holders - 1)


def strength(evidence: Iterable[Evidence], holders: Mapping[tuple[str, str], int]) -> float:
    """The noisy-or of the weights of ``evidence`` in [0, 1], to 4 decimals; ``holders`` maps
    (kind, key) to how many cases hold it (2 when absent)."""
    miss = math.prod(1 - weight(e, holders.get((e.kind.value, e.key), 2)) for e in evidence)
    return round(1 - miss, 4)


@dataclass(frozen=True, slots=True)
class CaseLink:
    """Two linked cases, their evidence (sorted) and the link's strength in [0, 1]."""

    case_a: UUID
    case_b: UUID
    strength: float
    evidence: tuple[Evidence, ...]

    def other(self, case: UUID) -> UUID:
        """The case at the other end from ``case``."""
        return self.case_b if case == self.case_a else self.case_a

    def counts(self) -> dict[str, int]:
        """How many pieces of evidence of each kind, by kind."""
        found: dict[str, int] = defaultdict(int)
        for item in self.evidence:
            found[item.kind.value] += 1
        return dict(sorted(found.items()))


def case_links(
    evidence: Iterable[Evidence], holders: Mapping[tuple[str, str], int] | None = None
) -> list[CaseLink]:
    """The links ``evidence`` makes, strongest first."""
    pairs: dict[tuple[UUID, UUID], list[Evidence]] = defaultdict(list)
    for item in evidence:
        pairs[(item.case_a, item.case_b)].append(item)
    links = [
        CaseLink(a, b, strength(items, holders or {}), tuple(sorted(items)))
        for (a, b), items in pairs.items()
    ]
    return sorted(links, key=lambda link: (-link.strength, link.case_a, link.case_b))


def clusters(links: Iterable[CaseLink], *, min_strength: float = 0.0) -> list[frozenset[UUID]]:
    """Groups of cases joined, directly or through others, by links of at least
    ``min_strength``; the largest first."""
    parent: dict[UUID, UUID] = {}

    def root(case: UUID) -> UUID:
        parent.setdefault(case, case)
        while parent[case] != case:
            parent[case] = parent[parent[case]]
            case = parent[case]
        return case

    for link in links:
        if link.strength >= min_strength:
            parent[root(link.case_a)] = root(link.case_b)
    groups: dict[UUID, set[UUID]] = defaultdict(set)
    for case in list(parent):
        groups[root(case)].add(case)
    found = [frozenset(group) for group in groups.values() if len(group) > 1]
    return sorted(found, key=lambda group: (-len(group), sorted(group)))


@dataclass(frozen=True, slots=True)
class Located:
    """A media of ``case`` with the position its metadata gives."""

    case: UUID
    media: str
    latitude: float
    longitude: float


def place_key(latitude: float, longitude: float) -> str:
    """The key of a place: its position rounded to about 10 metres."""
    return f"{latitude:.4f},{longitude:.4f}"


def place_evidence(
    case: UUID,
    new: Iterable[Located],
    stored: Iterable[Located],
    *,
    radius_m: float = PLACE_RADIUS_M,
    max_holders: int = MAX_HOLDERS,
) -> list[Evidence]:
    """Evidence that media of ``case`` were taken within ``radius_m`` of media of other cases
    (one piece per other case and stored place, keyed by the stored position, the distance in
    metres). A place held by more than ``max_holders`` cases (a landmark) links nobody."""
    others = [s for s in stored if s.case != case]
    holders: dict[str, set[UUID]] = defaultdict(set)
    for s in others:
        holders[place_key(s.latitude, s.longitude)].add(s.case)
    found: dict[tuple[UUID, str], Evidence] = {}
    for mine in sorted(new, key=lambda m: m.media):
        for s in others:
            metres = haversine_m(mine.latitude, mine.longitude, s.latitude, s.longitude)
            key = place_key(s.latitude, s.longitude)
            if metres > radius_m or len(holders[key]) + 1 > max_holders:
                continue
            piece = evidence_between(
                case, s.case, LinkKind.PLACE, key, mine.media, s.media, round(metres)
            )
            known = found.get((s.case, key))
            if known is None or piece.distance < known.distance:
                found[(s.case, key)] = piece
    return sorted(found.values())
