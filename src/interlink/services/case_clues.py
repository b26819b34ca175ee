"""What the media of a case say about where and when they were made: the cameras (make,
model, serial), the places (coordinates), and a capture timeline by day. Needs
``media:blurred`` on an own case; the read is audited.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from interlink.adapters.sql.store import SqlStore
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
