"""Watches (deconfliction): place, withdraw and list them; find the hits that a scan, a new
identifier, a list import or the new watch itself (against what is already held) makes; and
tell each side of a hit what the watch allows (``linking.deconfliction``).

Only the owner of a watch sees it and withdraws it. A hit is shown to the owner and to the
agency whose case made it; each is audited.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from interlink.adapters.sql.hit_pages import HitPages
from interlink.adapters.sql.links import ExhibitMedia
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency, Case
from interlink.domain.errors import AccessDeniedError, InvalidFieldError
from interlink.linking.cases import Holding, PdqMedia
from interlink.linking.deconfliction import (
    HASH_KINDS,
    IDENTIFIER_KINDS,
    Alert,
    AlertHit,
    AlertTrigger,
    Disclosure,
    MediaFacts,
    Observation,
    Priority,
    TriggerKind,
    find_hits,
    hitter_view,
    identifier_observations,
    media_observations,
    owner_view,
    pdq_observations,
    trigger_value,
)
from interlink.services.audited import change
from interlink.signals import pdq

#: Stored media PDQs compared at once when a watch is checked against what is held.
PDQ_CHUNK = 20_000


@dataclass(frozen=True, slots=True)
class TriggerSpec:
    """A trigger as asked for: its kind and text (``port``/``service`` for identifiers)."""

    kind: TriggerKind
    text: str
    port: int | None = None
    service: str | None = None


@dataclass(frozen=True, slots=True)
class PlacedWatch:
    """A stored watch, its triggers, and the hits it made on what was already held."""

    alert: Alert
    triggers: tuple[AlertTrigger, ...]
    hits: tuple[AlertHit, ...]


def usable_pdq(item: ExhibitMedia) -> PdqMedia | None:
    """The PDQ query of a media, if it has a PDQ of usable quality."""
    if item.pdq is None or (item.pdq_quality is not None and item.pdq_quality < pdq.MIN_QUALITY):
        return None
    return PdqMedia(item.sha256, item.pdq_variants or (item.pdq,))


def add_watch(
    store: SqlStore,
    agency: Agency,
    specs: Sequence[TriggerSpec],
    *,
    title: str,
    priority: Priority = Priority.NORMAL,
    disclosure: Disclosure = Disclosure.AGENCY,
    message: str = "",
    case: Case | None = None,
    expires_at: datetime | None = None,
    actor: str = "local",
    alert_id: uuid.UUID | None = None,
) -> PlacedWatch:
    """Place a watch of ``agency`` (for its ``case``), check it against everything already
    held, and record (and audit) the hits it makes. ``alert_id``: a chosen id (a watch pulled
    from a peer gets one derived from the peer's, so pulling again adds nothing)."""
    now = datetime.now(UTC)
    if not specs:
        raise InvalidFieldError("watch", title, "give at least one trigger")
    if not title.strip():
        raise InvalidFieldError("watch title", title, "must not be empty")
    if case is not None and case.agency_id != agency.id:
        raise AccessDeniedError(f"case {case.name!r} belongs to another agency")
    if expires_at is not None and (expires_at.utcoffset() is None or expires_at <= now):
        raise InvalidFieldError("expiry", str(expires_at), "must be an aware time in the future")
    values = [
        (s.kind, trigger_value(s.kind, s.text, port=s.port, service=s.service)) for s in specs
    ]
    alert = Alert(
        alert_id or uuid.uuid4(),
        agency.id,
        title.strip(),
        priority,
        disclosure,
        message.strip(),
        case.id if case else None,
        now,
        expires_at,
    )
    with store.transaction() as tx:
        triggers = store.watches.add(tx, alert, values)
        store.audit.append(
            tx,
            actor=actor,
            action="watch.add",
            object_type="watch",
            object_id=str(alert.id),
            after={
                "agency": agency.name,
                "title": alert.title,
                "priority": priority.name.lower(),
                "disclosure": disclosure.value,
                "case": case.name if case else None,
                "expires_at": expires_at.isoformat() if expires_at else None,
                "triggers": [[k.value, v] for k, v in values],
            },
        )
    hits = record_hits(store, _held_hits(store, alert, triggers, now), actor)
    return PlacedWatch(alert, tuple(triggers), tuple(hits))


def withdraw_watch(store: SqlStore, alert_id: uuid.UUID, agency: Agency, *, actor: str) -> Alert:
    """Withdraw a watch of ``agency``: it hits no more (its hits stay)."""
    alert = store.watches.get(alert_id)
    if alert.agency_id != agency.id:
        raise AccessDeniedError("the watch belongs to another agency")
    now = datetime.now(UTC)
    change(
        store,
        partial(store.watches.withdraw, alert_id=alert.id, at=now),
        actor=actor,
        action="watch.withdraw",
        object_type="watch",
        object_id=str(alert.id),
        before={"withdrawn_at": None},
        after={"withdrawn_at": now.isoformat()},
    )
    return store.watches.get(alert_id)


def record_hits(store: SqlStore, hits: Sequence[AlertHit], actor: str) -> list[AlertHit]:
    """Store the hits not stored yet and audit them (one record per watch and case)."""
    if not hits:
        return []
    with store.transaction() as tx:
        new = store.watches.add_hits(tx, hits)
        groups: dict[tuple[uuid.UUID, uuid.UUID], list[AlertHit]] = defaultdict(list)
        for hit in new:
            groups[(hit.alert_id, hit.case_id)].append(hit)
        for (alert_id, case_id), group in sorted(groups.items()):
            store.audit.append(
                tx,
                actor=actor,
                action="watch.hit",
                object_type="watch",
                object_id=str(alert_id),
                after={
                    "case": str(case_id),
                    "agency": str(group[0].agency_id),
                    "items": len(group),
                },
            )
    return new


def _agencies_of(store: SqlStore, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    return {
        ident: case.agency_id
        for ident, case in store.cases.by_ids(case_ids).items()
        if case.agency_id is not None
    }


def _observe(
    store: SqlStore, kind: TriggerKind, value: str, holdings: Iterable[Holding]
) -> list[Observation]:
    held = list(holdings)
    owners = _agencies_of(store, (h.case for h in held))
    return [
        Observation(kind, value, h.case, owners[h.case], h.media or h.key)
        for h in held
        if h.case in owners
    ]


def _held_hits(
    store: SqlStore, alert: Alert, triggers: Sequence[AlertTrigger], now: datetime
) -> list[AlertHit]:
    """The hits of a new watch on what the store already holds."""
    seen: list[Observation] = []
    for trigger in triggers:
        seen += _held_observations(store, trigger)
    return find_hits({alert.id: alert}, triggers, seen, now)


def _held_observations(store: SqlStore, trigger: AlertTrigger) -> list[Observation]:
    kind, value = trigger.kind, trigger.value
    if kind is TriggerKind.PDQ:
        return [
            Observation(kind, value, h.case, agency, h.key, distance)
            for h, agency, distance in _held_near(store, value)
        ]
    if kind in HASH_KINDS:
        shas = [sha for _, sha in store.links.media_by_signal(kind.value, [value])]
        return _observe(store, kind, value, store.links.media_holdings(shas))
    if kind is TriggerKind.SERIES:
        shas = [sha for sha, _ in store.casework.series_media([value])]
        return _observe(store, kind, value, store.links.media_holdings(shas))
    if kind is TriggerKind.CAMERA:
        if value.startswith("*:"):
            return _observe(store, kind, value, store.links.camera_serial_holdings([value]))
        return _observe(store, kind, value, store.links.camera_holdings([value]))
    if kind is TriggerKind.IP and value.endswith("|*"):
        found = store.casework.identifiers_of_address([value])
    else:
        found = store.casework.identifiers(keys=[value])
    holdings = [Holding(s.case_id, s.key, s.key) for s in found]
    return _observe(store, kind, value, holdings)


def _held_near(store: SqlStore, value: str) -> list[tuple[Holding, uuid.UUID, int]]:
    """Cases holding a media whose PDQ (any stored dihedral variant) is near ``value``."""
    best: dict[str, int] = {}
    chunk: list[tuple[str, tuple[str, ...]]] = []

    from interlink.index.brute import BruteForceHammingIndex  # NumPy, for this search only

    def search() -> None:
        index = BruteForceHammingIndex()
        values = [v for _, variants in chunk for v in variants]
        ids = [i for i, (_, variants) in enumerate(chunk) for _ in variants]
        index.add(values, ids)
        for hit in index.query(value, pdq.THRESHOLD):
            sha = chunk[hit.id][0]
            best[sha] = min(hit.distance, best.get(sha, hit.distance))

    for _, sha, stored, quality, variants in store.links.stored_pdqs():
        if quality is None or quality >= pdq.MIN_QUALITY:
            chunk.append((sha, variants or (stored,)))
        if len(chunk) >= PDQ_CHUNK:
            search()
            chunk = []
    if chunk:
        search()
    holdings = store.links.media_holdings(best)
    owners = _agencies_of(store, (h.case for h in holdings))
    return [(h, owners[h.case], best[h.key]) for h in holdings if h.case in owners]


def hits_for_media(
    store: SqlStore, case: Case, agency_id: uuid.UUID, media: Sequence[ExhibitMedia]
) -> list[AlertHit]:
    """The hits the media of ``case`` make on the active watches (not yet stored)."""
    series = store.casework.series_of_media([m.sha256 for m in media])
    facts = [
        MediaFacts(m.sha256, m.md5, m.sha1, m.camera_key, tuple(sorted(series.get(m.sha256, ()))))
        for m in media
    ]
    seen = media_observations(case.id, agency_id, facts)
    exact = store.watches.triggers(values={o.value for o in seen})
    near = store.watches.triggers(kinds=[TriggerKind.PDQ])
    queries = [q for q in (usable_pdq(m) for m in media) if q is not None]
    seen += pdq_observations(case.id, agency_id, queries, near)
    return _hits(store, [*exact, *near], seen)


def hits_for_identifiers(
    store: SqlStore, case: Case, agency_id: uuid.UUID, keys: Sequence[str]
) -> list[AlertHit]:
    """The hits identifier ``keys`` of ``case`` make on the active watches."""
    seen = identifier_observations(case.id, agency_id, keys)
    kinds = list(IDENTIFIER_KINDS)
    return _hits(store, store.watches.triggers(values={o.value for o in seen}, kinds=kinds), seen)


def hits_for_list_series(store: SqlStore, list_id: int, keys: Iterable[str]) -> list[AlertHit]:
    """The hits on series watches that media already held make once a list names their
    series: media matching (exactly, or by PDQ over their variants) entries of the list
    whose series is watched."""
    triggers = store.watches.triggers(values=set(keys), kinds=[TriggerKind.SERIES])
    if not triggers:
        return []
    entries = store.casework.series_entry_signals(list_id, {t.value for t in triggers})
    held: list[tuple[str, str, int]] = []  # (series key, media, distance)
    for key, kind, value, _ in entries:
        if kind in {"md5", "sha1", "sha256"}:
            held += [(key, sha, 0) for _, sha in store.links.media_by_signal(kind, [value])]
    for key, kind, value, quality in entries:
        if kind == pdq.NAME and (quality is None or quality >= pdq.MIN_QUALITY):
            held += [(key, h.key, d) for h, _, d in _held_near(store, value)]
    holdings = store.links.media_holdings({sha for _, sha, _ in held})
    cases_of: dict[str, set[uuid.UUID]] = defaultdict(set)
    for holding in holdings:
        cases_of[holding.key].add(holding.case)
    owners = _agencies_of(store, (h.case for h in holdings))
    seen = [
        Observation(TriggerKind.SERIES, key, case, owners[case], sha, distance)
        for key, sha, distance in held
        for case in sorted(cases_of.get(sha, ()))
        if case in owners
    ]
    return _hits(store, triggers, seen)


def _hits(
    store: SqlStore, triggers: Sequence[AlertTrigger], seen: Sequence[Observation]
) -> list[AlertHit]:
    if not triggers or not seen:
        return []
    alerts = {a.id: a for a in store.watches.alerts(ids={t.alert_id for t in triggers})}
    return find_hits(alerts, triggers, seen, datetime.now(UTC))


# -- what each side is shown ------------------------------------------------------------------


def watch_list(store: SqlStore, agency: Agency) -> list[dict[str, Any]]:
    """The watches of ``agency`` with their triggers and how many cases and items hit them."""
    alerts = store.watches.alerts(agency_id=agency.id)
    triggers: dict[uuid.UUID, list[AlertTrigger]] = defaultdict(list)
    for trigger in store.watches.triggers(alert_ids=[a.id for a in alerts]):
        triggers[trigger.alert_id].append(trigger)
    hits: dict[uuid.UUID, list[AlertHit]] = defaultdict(list)
    for hit in store.watches.hits(owner=agency.id):
        hits[hit.alert_id].append(hit)
    cases = store.cases.by_ids(a.case_id for a in alerts if a.case_id)
    now = datetime.now(UTC)
    return [
        {
            "id": str(a.id),
            "title": a.title,
            "priority": a.priority.name.lower(),
            "disclosure": a.disclosure.value,
            "message": a.message,
            "case": cases[a.case_id].name if a.case_id in cases else None,
            "created_at": a.created_at.isoformat() if a.created_at else None,
            "expires_at": a.expires_at.isoformat() if a.expires_at else None,
            "active": a.active(now),
            "triggers": [{"kind": t.kind.value, "value": t.value} for t in triggers[a.id]],
            "hit_cases": len({h.case_id for h in hits[a.id]}),
            "hit_items": len({(h.case_id, h.subject) for h in hits[a.id]}),
        }
        for a in alerts
    ]


def hit_views(store: SqlStore, agency: Agency, case: Case | None = None) -> list[dict[str, Any]]:
    """Every hit ``agency`` may see, grouped by watch and hitting case, each as its side is
    shown it (``owner_view`` or ``hitter_view``); only those touching ``case`` when given."""
    if case is not None:
        found = store.watches.hits(case_id=case.id)
    else:
        found = store.watches.hits(owner=agency.id, hitter=agency.id)
    alerts = {a.id: a for a in store.watches.alerts(ids={h.alert_id for h in found})}
    sides = []
    hitters = {(h.alert_id, h.case_id): h.agency_id for h in found}
    for (alert_id, case_id), hitter in hitters.items():
        alert = alerts[alert_id]
        if alert.agency_id == agency.id and (case is None or alert.case_id == case.id):
            sides.append(("owner", alert_id, case_id))
        if hitter == agency.id and (case is None or case_id == case.id):
            sides.append(("hitter", alert_id, case_id))
    views = _views(store, sides, found)
    return sorted(views, key=lambda v: (v["first_at"] or "", v["side"], v["alert"]))


def hit_page(
    store: SqlStore,
    agency: Agency,
    case: Case | None,
    *,
    after: tuple[int, str] | None,
    limit: int,
) -> tuple[list[dict[str, Any]], tuple[int, str] | None]:
    """Up to ``limit`` of the hits ``agency`` may see (only those touching ``case`` when
    given), one row per watch, hitting case and side as :func:`hit_views` shows them, by the
    group's first hit and side after ``after``, and the key to go on after (``None``: the
    last); the store's query cuts the page and applies who sees what."""
    pages = HitPages(store.engine)
    groups = pages.groups(
        agency.id, case_id=None if case is None else case.id, after=after, limit=limit + 1
    )
    shown = groups[:limit]
    found = pages.hits_of((alert_id, case_id) for _, _, alert_id, case_id in shown)
    views = _views(store, [(side, a, c) for _, side, a, c in shown], found)
    last = shown[-1] if len(groups) > limit else None
    return views, (None if last is None else (last[0], last[1]))


def _views(
    store: SqlStore,
    sides: Sequence[tuple[str, uuid.UUID, uuid.UUID]],
    found: Sequence[AlertHit],
) -> list[dict[str, Any]]:
    """The view of each (side, watch, hitting case) of ``sides`` over its hits in ``found``,
    in that order."""
    if not sides:
        return []  # nothing to read (a case no watch hit)
    alerts = {a.id: a for a in store.watches.alerts(ids={a for _, a, _ in sides})}
    triggers = {t.id: t for t in store.watches.triggers(alert_ids=list(alerts))}
    cases = store.cases.by_ids(
        [c for _, _, c in sides] + [a.case_id for a in alerts.values() if a.case_id]
    )
    agencies = {a.id: a for a in store.cases.agencies()}
    groups: dict[tuple[uuid.UUID, uuid.UUID], list[AlertHit]] = defaultdict(list)
    for hit in found:
        groups[(hit.alert_id, hit.case_id)].append(hit)
    views: list[dict[str, Any]] = []
    for side, alert_id, case_id in sides:
        alert, hits, hitting = alerts[alert_id], groups[(alert_id, case_id)], cases[case_id]
        if side == "owner":
            views.append(
                owner_view(alert, hits, triggers, agencies[hits[0].agency_id], hitting.name)
            )
        else:
            own_case = cases[alert.case_id].name if alert.case_id in cases else None
            views.append(
                hitter_view(
                    alert, hits, triggers, agencies[alert.agency_id], own_case, hitting.name
                )
            )
    return views
