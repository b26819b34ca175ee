"""What the media of a case say about where and when they were made: the cameras (make,
model, serial), the places (coordinates), and a capture timeline by day. Needs
``media:blurred`` on an own case; the read is audited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import InvalidFieldError
from interlink.domain.principal import Capability, Principal
from interlink.services.casefile import audit_read, case_of

#: Decimal places places are grouped at (4: about 11 m).
PLACE_DECIMALS = 4


def case_clues(store: SqlStore, principal: Principal, case: str) -> dict[str, Any]:
    """Cameras, places and the capture timeline of an own case's media (audited as
    ``clues.read``). Each group lists its media by SHA-256."""
    record = case_of(store, principal, case, Capability.MEDIA_BLURRED)
    held = store.links.case_media(record.id)
    clues = store.media.clues_of(sorted(held))
    cameras: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    places: dict[tuple[float, float], list[str]] = defaultdict(list)
    days: dict[str, list[str]] = defaultdict(list)
    captures: list[dict[str, Any]] = []
    for sha, found in sorted(clues.items()):
        if found.make or found.model or found.serial:
            cameras[(found.make or "", found.model or "", found.serial or "")].append(sha)
        if found.latitude is not None and found.longitude is not None:
            key = (round(found.latitude, PLACE_DECIMALS), round(found.longitude, PLACE_DECIMALS))
            places[key].append(sha)
        at = found.captured_utc or found.captured_local
        if at is not None:
            days[at.date().isoformat()].append(sha)
            captures.append(
                {"sha256": sha, "at": at.isoformat(), "utc": found.captured_utc is not None}
            )
    view: dict[str, Any] = {
        "case": record.name,
        "media": len(held),
        "cameras": [
            {"make": k[0] or None, "model": k[1] or None, "serial": k[2] or None, "media": v}
            for k, v in sorted(cameras.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        "places": [
            {"latitude": k[0], "longitude": k[1], "media": v}
            for k, v in sorted(places.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ],
        "timeline": [{"day": day, "media": v} for day, v in sorted(days.items())],
        "captures": sorted(captures, key=lambda c: (c["at"], c["sha256"])),
    }
    audit_read(
        store,
        principal,
        "clues.read",
        "case",
        str(record.id),
        {"cameras": len(view["cameras"]), "places": len(view["places"])},
    )
    return view


#: The listings of a case's clues, each with the sort key of a row (unique, and the same
#: for a row however the case grows): a camera by make, model and serial; a place by its
#: coordinates; a day by its date; a capture by its time and SHA-256.
CLUE_KEYS: dict[str, Callable[[dict[str, Any]], list[Any]]] = {
    "cameras": lambda r: [r["make"] or "", r["model"] or "", r["serial"] or ""],
    "places": lambda r: [r["latitude"], r["longitude"]],
    "timeline": lambda r: [r["day"]],
    "captures": lambda r: [r["at"], r["sha256"]],
}


def clue_counts(store: SqlStore, principal: Principal, case: str) -> dict[str, Any]:
    """How many media an own case holds and how many cameras, places, capture days and
    captures their clues give (audited as ``clues.read``)."""
    view = case_clues(store, principal, case)
    return {"case": view["case"], "media": view["media"]} | {k: len(view[k]) for k in CLUE_KEYS}


def clue_page(
    store: SqlStore, principal: Principal, case: str, kind: str, *, after: object, limit: int
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """Up to ``limit`` rows of one listing of an own case's clues (``kind``, a key of
    ``CLUE_KEYS``) by key, those after the key ``after`` (``None``: from the first), and
    the key to go on after (``None``: this was the last). ``InvalidFieldError`` naming
    ``cursor`` for a key of another shape (audited as ``clues.read``)."""
    key = CLUE_KEYS[kind]
    rows = sorted(case_clues(store, principal, case)[kind], key=key)
    if after is not None:
        if not rows or not isinstance(after, list) or not _same_shape(after, key(rows[0])):
            raise InvalidFieldError("cursor", str(after)[:40], "not a cursor of this listing")
        rows = [r for r in rows if key(r) > after]
    page = rows[:limit]
    return page, (key(page[-1]) if len(rows) > limit and page else None)


def _same_shape(after: list[Any], key: list[Any]) -> bool:
    def kind(value: object) -> type:
        return float if isinstance(value, int | float) and not isinstance(value, bool) else str

    return len(after) == len(key) and all(
        isinstance(a, int | float | str) and not isinstance(a, bool) and kind(a) is kind(k)
        for a, k in zip(after, key, strict=True)
    )
