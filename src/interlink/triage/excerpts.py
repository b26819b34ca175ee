"""How an excerpt match reads in reports and exports: which known video, and the time range in
both ("excerpt of <known video>, 00:07 to 00:13 of the known video", an en dash for "to").
Pure: an excerpt and the entry it matched in, a JSON-ready record out."""

from __future__ import annotations

import math
from typing import Any

from interlink.domain.lists import EntryInfo
from interlink.signals.vpdq_excerpt import Excerpt

#: Between the ends of a time range.
DASH = "\N{EN DASH}"


def clock(seconds: float) -> str:
    """``mm:ss`` (``h:mm:ss`` from an hour) of whole seconds, rounded to the nearest."""
    whole = max(0, math.floor(seconds + 0.5))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def known_video_name(entry_id: int, info: EntryInfo | None) -> str:
    """How a known video is named: its list and the list's own id for it (else the entry id)."""
    if info is None:
        return f"entry {entry_id}"
    return f"{info.list_name} {info.external_id or f'entry {entry_id}'}"


def excerpt_label(excerpt: Excerpt, name: str) -> str:
    """One line for people: which known video, and where in it."""
    return (
        f"excerpt of {name}, {clock(excerpt.known_start)}{DASH}{clock(excerpt.known_end)} "
        f"of the known video ({clock(excerpt.query_start)}{DASH}{clock(excerpt.query_end)} "
        "of this file)"
    )


def excerpt_json(excerpt: Excerpt, entry_id: int, info: EntryInfo | None) -> dict[str, Any]:
    """The JSON record of one excerpt match: times in seconds in both videos, the evidence
    (frames found, their share, the share of the known stretch found) and the label."""
    name = known_video_name(entry_id, info)
    return {
        "known_video": name,
        "query_start": excerpt.query_start,
        "query_end": excerpt.query_end,
        "known_start": excerpt.known_start,
        "known_end": excerpt.known_end,
        "offset": excerpt.offset,
        "frames": excerpt.frames,
        "coverage": excerpt.coverage,
        "stretch_coverage": excerpt.stretch_coverage,
        "label": excerpt_label(excerpt, name),
    }
