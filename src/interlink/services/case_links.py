"""What an agency is shown of the links of one of its cases: the linked cases of other
agencies (reference, agency, country, contact, strength and shared evidence, the other side's
media by hash only, never paths), the cluster it belongs to, the series its media show with
their victims' status, and the watch hits touching it."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency, Case
from interlink.linking import cases as linking
from interlink.linking.cases import Evidence, LinkKind
from interlink.linking.deconfliction import agency_card
from interlink.services import watches
from interlink.services.cases import own_case


def _cluster(store: SqlStore, case: Case, evidence: list[Evidence]) -> set[uuid.UUID]:
    """The cases linked with ``case`` directly or through others; ``evidence``: its own."""
    seen = {case.id}
    frontier = {c for e in evidence for c in (e.case_a, e.case_b)} - seen
    seen |= frontier
    while frontier:
        found = store.links.evidence(frontier)
        frontier = {c for e in found for c in (e.case_a, e.case_b)} - seen
        seen |= frontier
    return seen


def case_links(
    store: SqlStore,
    case_name: str,
    agency: Agency,
    *,
    known: tuple[Case, list[Agency]] | None = None,
) -> dict[str, Any]:
    """The links section of a case of ``agency``: each linked case (reference, agency card,
    strength, evidence with this case's own media and paths, the other side's media by hash
    only), the cluster it belongs to (size and countries), the series its media show with
    their victims' status, and the watch hits touching it. ``known``: the case (of
    ``agency``) and every agency, when the caller has just read them."""
    case, every = known if known is not None else (own_case(store, case_name, agency), None)
    evidence = store.links.evidence([case.id])
    holders = store.links.holders({(e.kind.value, e.key) for e in evidence})
    links = linking.case_links(evidence, holders)
    cases = store.cases.by_ids(link.other(case.id) for link in links)
    agencies = {a.id: a for a in (every if every is not None else store.cases.agencies())}
    own = store.links.case_media(case.id)
    rows = []
    for link in links:
        other = cases[link.other(case.id)]
        rows.append(
            {
                "case": other.name,
                "agency": agency_card(agencies[other.agency_id]) if other.agency_id else None,
                "strength": link.strength,
                "counts": link.counts(),
                "evidence": [_evidence_json(store, case, e, own) for e in link.evidence],
            }
        )
    members = _cluster(store, case, evidence)
    cluster = {case.id: case} if members == {case.id} else store.cases.by_ids(members)
    countries = sorted(
        {agencies[c.agency_id].country for c in cluster.values() if c.agency_id in agencies}
    )
    return {
        "case": case.name,
        "agency": agency_card(agency),
        "links": rows,
        "cluster": {"cases": len(cluster), "countries": countries},
        "series": _series_json(store, own, agencies),
        "watch_hits": watches.hit_views(store, agency, case),
    }


def _evidence_json(
    store: SqlStore, case: Case, item: Evidence, own: dict[str, list[str]]
) -> dict[str, Any]:
    mine = item.media_of(case.id)
    other = item.media_b if case.id == item.case_a else item.media_a
    if item.kind is LinkKind.CAMERA:
        media = store.links.case_media(case.id, camera_key=item.key)
    elif item.kind is LinkKind.IMAGE_UNIQUE_ID:
        media = store.links.case_media(case.id, unique_id=item.key)
    else:
        media = {mine: own.get(mine, [])} if mine else {}
    return {
        "kind": item.kind.value,
        "key": item.key,
        "distance": item.distance,
        "media": [{"sha256": sha, "paths": paths} for sha, paths in sorted(media.items())],
        "other_media": other if item.kind is LinkKind.NEAR_DUPLICATE else None,
    }


def _series_json(
    store: SqlStore, own: dict[str, list[str]], agencies: dict[uuid.UUID, Agency]
) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for keys in store.casework.series_of_media(sorted(own)).values():
        counts.update(keys)
    named = store.casework.series_named(counts)
    victims = store.casework.victims(series_keys=list(counts))
    found = []
    for key, count in sorted(counts.items()):
        series = named.get(key)
        shown = [
            {"status": v.status.value, "agency": agency_card(agencies[v.agency_id])}
            for v in victims
            if series is not None and series.name in v.series
        ]
        found.append({"series": series.name if series else key, "media": count, "victims": shown})
    return found


def report_links(store: SqlStore, case_name: str, *, record: Case | None = None) -> dict[str, Any]:
    """``case_links`` as the case's own agency sees it (for the case report); ``record``: the
    case as the caller has just read it (else read here)."""
    case = record if record is not None else store.cases.get(case_name)
    every = store.cases.agencies()
    owner = next((a for a in every if a.id == case.agency_id), None)
    if owner is None:
        return {"case": case.name, "links": [], "series": [], "watch_hits": [], "cluster": None}
    return case_links(store, case_name, owner, known=(case, every))
