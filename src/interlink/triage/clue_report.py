"""The report's clue sections: cameras, places, a capture-date timeline, media linked by a
shared clue, and media whose embedded thumbnail shows something else (an edit or a crop).

Places are coordinates only: no map tiles are fetched from anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from interlink.domain.clues import MediaClues
from interlink.linking.clues import (
    ClueLink,
    ClueRecord,
    cameras,
    links_by_camera,
    links_by_place,
    links_by_unique_id,
    places,
    timeline,
    timeline_days,
)


def clue_record(sha256: str, scan: str, clues: MediaClues) -> ClueRecord:
    """The linking record of a media's stored clues, seen in ``scan`` (an exhibit name)."""
    return ClueRecord(
        media=sha256,
        scan=scan,
        make=clues.make,
        model=clues.model,
        serial=clues.serial,
        image_unique_id=clues.image_unique_id,
        latitude=clues.latitude,
        longitude=clues.longitude,
        captured=clues.captured_utc or clues.captured_local,
        captured_utc=clues.captured_utc is not None,
        software=clues.software,
    )


def clue_sections(
    clues: Mapping[str, MediaClues], scan_of: Mapping[str, str], path_of: Mapping[str, str]
) -> dict[str, Any]:
    """The JSON-ready sections; ``scan_of`` and ``path_of`` give each media's exhibit and the
    path of its first copy."""
    records = [clue_record(sha, scan_of[sha], c) for sha, c in sorted(clues.items())]

    def media(shas: tuple[str, ...]) -> list[dict[str, str]]:
        return [{"sha256": sha, "path": path_of[sha]} for sha in shas]

    def link(item: ClueLink) -> dict[str, Any]:
        return {
            "kind": item.kind.value,
            "key": item.key,
            "media": media(item.media),
            "exhibits": list(item.scans),
            "across_exhibits": item.cross_scan,
        }

    entries = timeline(records)
    return {
        "cameras": [
            {
                "camera": row.key,
                "make": row.make,
                "models": list(row.models),
                "serial": row.serial,
                "media": media(row.media),
                "exhibits": list(row.scans),
                "first": row.first.isoformat() if row.first else None,
                "last": row.last.isoformat() if row.last else None,
            }
            for row in cameras(records)
        ],
        "places": [
            {
                "latitude": round(place.latitude, 6),
                "longitude": round(place.longitude, 6),
                "spread_m": round(place.spread_m, 1),
                "media": media(place.media),
                "exhibits": list(place.scans),
            }
            for place in places(records)
        ],
        "timeline": {
            "entries": [
                {
                    "when": e.when.isoformat(),
                    "utc": e.utc,
                    "sha256": e.media,
                    "path": path_of[e.media],
                    "camera": e.camera,
                }
                for e in entries
            ],
            "days": [{"day": day.isoformat(), "media": n} for day, n in timeline_days(entries)],
        },
        "clue_links": [
            link(item)
            for item in (
                *links_by_camera(records),
                *links_by_unique_id(records),
                *links_by_place(records),
            )
        ],
        "edited": [
            {
                "sha256": sha,
                "path": path_of[sha],
                "reason": c.thumbnail_reason,
                "thumbnail_sha256": c.thumbnail_sha256,
            }
            for sha, c in sorted(clues.items())
            if c.thumbnail_differs
        ],
    }
