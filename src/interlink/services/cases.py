"""Cases across agencies: the acting agency, its cases and their identifiers; the automatic
links between cases; and the hooks that compute links and watch hits the moment a scan
completes or a list is imported (``after_scan``, ``after_list_import``).

Access: an agency sees and changes its own cases in full, and another agency's cases only
through links and watch hits, which show the other agency (name, country, contact), the case
reference and the shared evidence: never file paths, exhibits or the other case's records.
Every change is audited with actor, before and after. Victims and suspects are in
``services.victims``, what a case's links show in ``services.case_links``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interlink.adapters.sql.links import ExhibitMedia, unique_id_key
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import (
    LOCAL_AGENCY,
    LOCAL_COUNTRY,
    Agency,
    Case,
    CaseStatus,
    Identifier,
    country_code,
    series_key,
)
from interlink.domain.errors import AccessDeniedError, ConflictError
from interlink.linking import cases as linking
from interlink.linking.cases import Evidence, Holding, IdentifierHolding, LinkKind
from interlink.linking.deconfliction import AlertHit, agency_card, hamming_index
from interlink.linking.identifiers import identifier_key
from interlink.services import watches
from interlink.services.audited import change
from interlink.signals import pdq

if TYPE_CHECKING:
    from interlink.index.base import SignalIndex


@dataclass(frozen=True, slots=True)
class Found:
    """What a hook or a new identifier found: new evidence linking cases, and new hits."""

    evidence: tuple[Evidence, ...] = ()
    hits: tuple[AlertHit, ...] = ()


# -- agencies and cases -----------------------------------------------------------------------


def acting_agency(
    store: SqlStore,
    name: str = LOCAL_AGENCY,
    country: str = LOCAL_COUNTRY,
    contact: str = "",
    *,
    actor: str = "local",
) -> Agency:
    """The agency called ``name``, created (with ``country`` and ``contact``, audited) on
    first use; an existing agency keeps its country and contact."""
    wanted = Agency.create(name, country, contact)
    with store.transaction() as tx:
        agency, created = store.cases.ensure_agency(tx, wanted)
        if created:
            store.audit.append(
                tx,
                actor=actor,
                action="agency.create",
                object_type="agency",
                object_id=str(agency.id),
                after=agency_card(agency),
            )
    return agency


def update_agency(
    store: SqlStore,
    agency: Agency,
    *,
    country: str | None = None,
    contact: str | None = None,
    actor: str,
) -> Agency:
    """Change the country or contact of the acting agency (audited)."""
    changed = replace(
        agency,
        country=agency.country if country is None else country_code(country),
        contact=agency.contact if contact is None else contact.strip(),
    )
    change(
        store,
        partial(store.cases.update_agency, agency=changed),
        actor=actor,
        action="agency.update",
        object_type="agency",
        object_id=str(agency.id),
        before=agency_card(agency),
        after=agency_card(changed),
    )
    return changed


def own_case(store: SqlStore, name: str, agency: Agency) -> Case:
    """The case ``name`` of ``agency``; ``AccessDeniedError`` if another agency's (the case
    stays unnamed in the message), ``NotFoundError`` if there is none."""
    case = store.cases.get(name)
    if case.agency_id != agency.id:
        raise AccessDeniedError(f"case {name!r} is not a case of agency {agency.name!r}")
    return case


def open_case(store: SqlStore, name: str, agency: Agency, *, actor: str) -> Case:
    """Create the case ``name`` of ``agency`` (audited); ``ConflictError`` if it exists."""
    with store.transaction() as tx:
        case, created = store.cases.ensure_case(tx, name, agency)
        if not created:
            raise ConflictError(f"case {name!r} exists")
        store.audit.append(
            tx,
            actor=actor,
            action="case.create",
            object_type="case",
            object_id=str(case.id),
            after={"name": name, "agency": agency.name, "status": case.status.value},
        )
    return case


def set_case_status(
    store: SqlStore, name: str, status: CaseStatus, agency: Agency, *, actor: str
) -> Case:
    """Open or close a case of ``agency`` (audited)."""
    case = own_case(store, name, agency)
    change(
        store,
        partial(store.cases.set_status, case_id=case.id, status=status),
        actor=actor,
        action="case.status",
        object_type="case",
        object_id=str(case.id),
        before={"status": case.status.value},
        after={"status": status.value},
    )
    return replace(case, status=status)


# -- identifiers and links --------------------------------------------------------------------


def add_identifier(
    store: SqlStore, case: str, identifier: Identifier, agency: Agency, *, actor: str
) -> Found:
    """Record an identifier met in a case of ``agency`` (audited), and link the case with
    every other case holding it and record the watch hits it makes."""
    record = own_case(store, case, agency)
    key = identifier_key(identifier)
    with store.transaction() as tx:
        row = store.casework.add_identifier(tx, record.id, identifier, key)
        if row is not None:
            store.audit.append(
                tx,
                actor=actor,
                action="identifier.add",
                object_type="case",
                object_id=str(record.id),
                after={"kind": identifier.kind.value, "key": key},
            )
    mine = [IdentifierHolding(record.id, key, identifier.seen_at)]
    stored = [
        IdentifierHolding(s.case_id, s.key, s.identifier.seen_at)
        for s in store.casework.identifiers(keys=[key])
    ]
    evidence = linking.shared_identifiers(record.id, mine, stored)
    hits = watches.hits_for_identifiers(store, record, agency.id, [key])
    return _record(store, record, evidence, hits, actor, {"identifier": key})


def add_identifiers(
    store: SqlStore,
    case: Case,
    identifiers: Iterable[Identifier],
    agency: Agency,
    *,
    actor: str,
    context: dict[str, Any] | None = None,
) -> Found:
    """Record many identifiers met in ``case`` of ``agency`` at once (one audit record), and
    link the case with every other case holding one and record the watch hits they make."""
    if case.agency_id != agency.id:
        raise AccessDeniedError(f"case {case.name!r} is not a case of agency {agency.name!r}")
    keyed = {identifier_key(identifier): identifier for identifier in identifiers}
    if not keyed:
        return Found((), ())
    added = 0
    with store.transaction() as tx:
        for key, identifier in keyed.items():
            added += store.casework.add_identifier(tx, case.id, identifier, key) is not None
        if added:
            store.audit.append(
                tx,
                actor=actor,
                action="identifier.add",
                object_type="case",
                object_id=str(case.id),
                after={**(context or {}), "identifiers": added},
            )
    mine = [IdentifierHolding(case.id, key, item.seen_at) for key, item in keyed.items()]
    stored = [
        IdentifierHolding(s.case_id, s.key, s.identifier.seen_at)
        for s in store.casework.identifiers(keys=list(keyed))
    ]
    evidence = linking.shared_identifiers(case.id, mine, stored)
    hits = watches.hits_for_identifiers(store, case, agency.id, list(keyed))
    summary = {**(context or {}), "identifiers": len(keyed)}
    return _record(store, case, evidence, hits, actor, summary)


def _record(
    store: SqlStore,
    case: Case,
    evidence: Sequence[Evidence],
    hits: Sequence[AlertHit],
    actor: str,
    context: dict[str, Any],
) -> Found:
    new: list[Evidence] = []
    if evidence:
        with store.transaction() as tx:
            new = store.links.add_evidence(tx, evidence)
            if new:
                linked = sorted(
                    {str(c) for e in new for c in (e.case_a, e.case_b)} - {str(case.id)}
                )
                store.audit.append(
                    tx,
                    actor=actor,
                    action="case.links",
                    object_type="case",
                    object_id=str(case.id),
                    after={**context, "evidence": len(new), "linked_cases": linked},
                )
    return Found(tuple(new), tuple(watches.record_hits(store, hits, actor)))


def stored_pdq_index(
    store: SqlStore,
    index: Callable[[], SignalIndex] = hamming_index,
    *,
    other_than: uuid.UUID | None = None,
) -> tuple[SignalIndex, dict[int, str]]:
    """A Hamming index of every stored media PDQ of usable quality (ids: signal row ids), and
    the media of each id; with ``other_than``, only media other cases hold."""
    search = index()
    values, media_of = _stored_pdqs(store, other_than)
    search.add(values, list(media_of))
    return search, media_of


#: Up to this many (query, stored hash) pairs, linking compares them all with NumPy rather
#: than build a ``HammingIndex`` (whose compiled kernels take a while to load).
BRUTE_FORCE_WORK = 5_000_000
#: From how many stored media PDQs a scan searches the kept index (``services.media_index``)
#: rather than the stored PDQs read for it: below, reading them is cheaper than loading the
#: index and its compiled kernels (a laptop's scan of a few photos stays quick).
KEPT_INDEX_FROM = 50_000


def _brute_force_index() -> SignalIndex:
    from interlink.index.brute import BruteForceHammingIndex

    return BruteForceHammingIndex()


def _stored_pdqs(store: SqlStore, other_than: uuid.UUID | None) -> tuple[list[str], dict[int, str]]:
    """The stored media PDQs of usable quality, and the media of each (by signal row id)."""
    values: list[str] = []
    media_of: dict[int, str] = {}
    for ident, sha, value, quality, _ in store.links.stored_pdqs(other_than):
        if quality is None or quality >= pdq.MIN_QUALITY:
            values.append(value)
            media_of[ident] = sha
    return values, media_of


def scan_evidence(
    store: SqlStore,
    case: Case,
    media: Sequence[ExhibitMedia],
    *,
    index: Callable[[], SignalIndex] | None = None,
    built: tuple[SignalIndex, Mapping[int, str]] | None = None,
) -> list[Evidence]:
    """Evidence linking ``case`` with other cases through ``media`` (new in it): looked up by
    SHA-256, camera key, ImageUniqueID and GPS (within ``linking.PLACE_RADIUS_M``) in the
    store, and by PDQ in a Hamming index of the stored hashes (``built`` from
    ``stored_pdq_index`` when given, else made with ``index``; by default a brute-force search
    when the queries times the stored hashes are few, else a ``HammingIndex``)."""
    shas = [m.sha256 for m in media]
    evidence = linking.shared_keys(
        LinkKind.SHARED_MEDIA,
        case.id,
        [Holding(case.id, s, s) for s in shas],
        store.links.media_holdings(shas),
    )
    cameras = [Holding(case.id, m.camera_key, m.sha256) for m in media if m.camera_key]
    if cameras:
        stored = store.links.camera_holdings(h.key for h in cameras)
        evidence += linking.shared_keys(LinkKind.CAMERA, case.id, cameras, stored)
    unique = [
        Holding(case.id, key, m.sha256)
        for m in media
        if (key := unique_id_key(m.image_unique_id)) is not None
    ]
    if unique:
        stored = store.links.unique_id_holdings(h.key for h in unique)
        evidence += linking.shared_keys(LinkKind.IMAGE_UNIQUE_ID, case.id, unique, stored)
    located = [
        linking.Located(case.id, m.sha256, m.latitude, m.longitude)
        for m in media
        if m.latitude is not None and m.longitude is not None
    ]
    if located:
        stored_places = store.links.located_near(
            ((m.latitude, m.longitude) for m in located), linking.PLACE_RADIUS_M
        )
        evidence += linking.place_evidence(case.id, located, stored_places)
    queries = [q for q in (watches.usable_pdq(m) for m in media) if q is not None]
    if queries and built is None:
        values, by_id = _stored_pdqs(store, case.id)
        if values:  # else there is nothing to search, and no index to build
            if index is None:
                small = len(values) * len(queries) <= BRUTE_FORCE_WORK
                index = _brute_force_index if small else hamming_index
            search = index()
            search.add(values, list(by_id))
            built = search, by_id
    if queries and built is not None:
        found, media_of = built
        pairs = linking.near_pairs(queries, found, media_of)
        involved = {sha for pair in pairs for sha in pair[:2]}
        holdings = store.links.media_holdings(involved)
        evidence += linking.near_duplicate_evidence(case.id, pairs, holdings)
    return evidence


def after_scan(
    store: SqlStore,
    case_name: str,
    exhibit_id: uuid.UUID,
    actor: str,
    agency: Agency | None,
    index_cache: Path | None = None,
) -> Found:
    """Link the case with every other case through the exhibit's media, and record the
    watch hits they make (the scan's case belongs to ``agency``, or the local agency). With
    ``index_cache``, near-duplicates are searched in the stored media PDQ index kept there
    (``services.media_index``, brought up to date) instead of one built for this scan."""
    case = store.cases.get(case_name)
    owner = case.agency_id or (agency.id if agency else None)
    if owner is None:
        return Found()
    media = store.links.exhibit_media(exhibit_id)
    built = None
    if (
        index_cache is not None
        and any(watches.usable_pdq(m) for m in media)
        and store.links.pdqs_at_least(KEPT_INDEX_FROM)
    ):
        from interlink.services.media_index import media_pdq_index  # loads numba

        kept = media_pdq_index(store, index_cache)
        built = kept.index, kept.media_of
    evidence = scan_evidence(store, case, media, built=built)
    hits = watches.hits_for_media(store, case, owner, media)
    return _record(store, case, evidence, hits, actor, {"exhibit": str(exhibit_id)})


def after_list_import(store: SqlStore, list_name: str, actor: str) -> Found:
    """Register the series the list names (audited) and record the hits series watches make
    on media already held that the list puts in a watched series."""
    list_id = store.lists.get(list_name).id
    names = store.casework.list_series(list_id)
    with store.transaction() as tx:
        for name in names:
            series, created = store.casework.ensure_series(tx, name)
            if created:
                store.audit.append(
                    tx,
                    actor=actor,
                    action="series.create",
                    object_type="series",
                    object_id=str(series.id),
                    after={"name": series.name, "list": list_name},
                )
    hits = watches.hits_for_list_series(store, list_id, {series_key(n) for n in names})
    return Found((), tuple(watches.record_hits(store, hits, actor)))
