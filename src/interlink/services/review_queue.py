"""A case's media as a reviewer works through them: each media with its clues (camera serial,
GPS as coordinates, capture dates), the list entries it matched (list, category, series) and
whether *this* user marked it reviewed; the queue puts new (unreviewed) media first and the
known ones after, grouped by series. Marks are per user, stored and audited with before and
after. Every read is audited; every function needs ``media:blurred`` on an own case.

*Known* means someone else already had the item: an entry of an imported list, or a vote
of another agency (its ``grades-<agency>`` list: that agency has seen and graded it). The
reviewer's own agency's votes are entries too (``services.grading``), but they are what this
agency just decided about the item, not a sign that it was known before: an item this agency
voted on stays where it was in the queue (new until reviewed, not folded into a known
series), its match is marked ``own_vote`` and its categories are the row's ``your_votes``,
shown as a grade. When another agency's vote or a list names it too, it is known as before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from interlink.adapters.sql.review_pages import QueueKey, ReviewPages
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Case
from interlink.domain.clues import MediaClues
from interlink.domain.errors import NotFoundError
from interlink.domain.lists import EntryInfo
from interlink.domain.principal import Capability, Principal
from interlink.services.casefile import audit_read, case_of
from interlink.services.grading import grades_list


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _clue_view(found: MediaClues | None) -> dict[str, Any]:
    """The clues a reviewer looks for first, grouped (absent ones ``None``)."""
    if found is None:
        return {"camera": None, "gps": None, "dates": None, "clues": None}
    camera = {
        "make": found.make,
        "model": found.model,
        "serial": found.serial,
        "lens_serial": found.lens_serial,
    }
    gps = (
        {"latitude": found.latitude, "longitude": found.longitude, "altitude": found.altitude}
        if found.latitude is not None and found.longitude is not None
        else None
    )
    dates = {
        "captured_utc": _iso(found.captured_utc),
        "captured_local": _iso(found.captured_local),
        "captured_raw": found.captured_raw,
    }
    return {
        "camera": camera if any(camera.values()) else None,
        "gps": gps,
        "dates": dates if any(dates.values()) else None,
        "clues": json.loads(json.dumps(asdict(found), default=str)),
    }


def _match_view(
    entry: EntryInfo | None, signal: str, distance: int, own_votes: str
) -> dict[str, Any]:
    return {
        "list": entry.list_name if entry else None,
        "category": entry.category.display() if entry and entry.category else None,
        "category_label": entry.category.label if entry and entry.category else None,
        "series": entry.series if entry else None,
        "victim_identified": entry.victim_identified if entry else None,
        "external_id": entry.external_id if entry else None,
        "signal": signal,
        "distance": distance,
        "own_vote": entry is not None and entry.list_name == own_votes,
    }


def _rows(
    store: SqlStore,
    principal: Principal,
    record: Case,
    only: str | None = None,
    page: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    held = store.links.case_media(record.id, only=page)
    if only is not None:
        if only not in held:
            raise NotFoundError("media", only)
        held = {only: held[only]}
    shas = sorted(held) if page is None else [sha for sha in page if sha in held]
    clues = store.media.clues_of(shas)
    matches = store.media.matches_of(shas)
    entries = store.lists.info(m[0] for rows in matches.values() for m in rows)
    marks = store.reviews.reviewed(principal.user_id, record.id)
    own_votes = grades_list(principal.agency)
    rows = []
    for sha in shas:
        found = [
            _match_view(entries.get(entry_id), signal, distance, own_votes)
            for entry_id, _list_id, signal, distance in sorted(matches.get(sha, []))
        ]
        known = [m for m in found if not m["own_vote"]]
        series = sorted({str(m["series"]) for m in known if m["series"]})
        rows.append(
            {
                "sha256": sha,
                "paths": held[sha],
                "copies": len(held[sha]),
                **_clue_view(clues.get(sha)),
                "matches": found,
                "known": bool(known),
                "your_votes": sorted({str(m["category"]) for m in found if m["own_vote"]}),
                "series": series,
                "reviewed": sha in marks,
                "reviewed_at": _iso(marks.get(sha)),
            }
        )
    return rows


def queue_order(row: dict[str, Any]) -> str:
    """The queue's order as one unique text: new before reviewed, unknown before known, known
    media together by series, then by first path."""
    series = row["series"][0] if row["series"] else ""
    path = row["paths"][0] if row["paths"] else ""
    return f"{int(row['reviewed'])}{int(row['known'])}{series}\x00{path}\x00{row['sha256']}"


def review_queue(
    store: SqlStore, principal: Principal, case: str, *, state: str | None = None
) -> list[dict[str, Any]]:
    """The own case's media in queue order (``state``: ``new`` or ``reviewed`` only), as this
    principal marked them (audited as ``review.read``)."""
    record = case_of(store, principal, case, Capability.MEDIA_BLURRED)
    rows = sorted(_rows(store, principal, record), key=queue_order)
    if state == "new":
        rows = [r for r in rows if not r["reviewed"]]
    elif state == "reviewed":
        rows = [r for r in rows if r["reviewed"]]
    _audit_read(store, principal, record.id, rows)
    return rows


def review_page(
    store: SqlStore,
    principal: Principal,
    case: str,
    *,
    state: str | None,
    after: QueueKey | None,
    limit: int,
) -> tuple[list[dict[str, Any]], QueueKey | None]:
    """Up to ``limit`` of the own case's media in queue order after the queue key ``after``
    (``state``: ``new`` or ``reviewed`` only), as this principal marked them, and the key to
    go on after (``None``: the last); the store's query orders and cuts the page (audited as
    ``review.read``)."""
    record = case_of(store, principal, case, Capability.MEDIA_BLURRED)
    reviewed = {"new": False, "reviewed": True}.get(state or "")
    keys = ReviewPages(store.engine).queue(
        record.id,
        principal.user_id,
        grades_list(principal.agency),
        reviewed=reviewed,
        after=after,
        limit=limit + 1,
    )
    rows = _rows(store, principal, record, page=[k[4] for k in keys[:limit]])
    _audit_read(store, principal, record.id, rows)
    return rows, (keys[limit - 1] if len(keys) > limit else None)


def media_item(store: SqlStore, principal: Principal, case: str, sha256: str) -> dict[str, Any]:
    """One media of an own case with its clues, matches, series and review mark (audited as
    ``media.read``)."""
    record = case_of(store, principal, case, Capability.MEDIA_BLURRED)
    value = sha256.strip().lower()
    row = _rows(store, principal, record, only=value)[0]
    audit_read(store, principal, "media.read", "case", str(record.id), {"sha256": value})
    return row


def mark_reviewed(
    store: SqlStore, principal: Principal, case: str, sha256: str, *, reviewed: bool
) -> dict[str, Any]:
    """Mark (or unmark) a media of an own case as reviewed by this principal (audited as
    ``media.review`` with the mark before and after)."""
    record = case_of(store, principal, case, Capability.MEDIA_BLURRED)
    value = sha256.strip().lower()
    if value not in store.links.case_media(record.id):
        raise NotFoundError("media", sha256)
    with store.transaction() as tx:
        before, after = store.reviews.mark(tx, principal.user_id, record.id, value, reviewed)
        store.audit.append(
            tx,
            actor=principal.actor,
            action="media.review",
            object_type="case",
            object_id=str(record.id),
            before={"sha256": value, "reviewed": before is not None},
            after={"sha256": value, "reviewed": after is not None},
        )
    return {"sha256": value, "reviewed": after is not None, "reviewed_at": _iso(after)}


def _audit_read(
    store: SqlStore, principal: Principal, case_id: UUID, rows: list[dict[str, Any]]
) -> None:
    """The queue's read in the audit: the case, how many media were read and how many new."""
    audit_read(
        store,
        principal,
        "review.read",
        "case",
        str(case_id),
        {"media": len(rows), "new": sum(not r["reviewed"] for r in rows)},
    )
