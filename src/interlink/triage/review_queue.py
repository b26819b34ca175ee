"""The case report's review queue: new material first, the media with locating clues first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from interlink.domain.clues import MediaClues
from interlink.domain.media import MediaKind
from interlink.domain.scan import SightingRecord

if TYPE_CHECKING:
    from interlink.triage.report import CaseData

#: What an investigator reviews; other files are counted, not queued.
REVIEWABLE = frozenset({MediaKind.IMAGE, MediaKind.VIDEO})


def review_queue(
    data: CaseData,
    first_seen: Mapping[str, SightingRecord],
    copies: Counter[str],
    groups: Sequence[frozenset[str]],
    failed: set[str],
) -> list[dict[str, Any]]:
    """New images and videos to review, near-duplicates stacked under the first seen, those
    with clues that can locate a child first."""
    group_of = {member: group for group in groups for member in group}
    queue: list[dict[str, Any]] = []
    placed: set[str] = set()
    for sha, row in sorted(first_seen.items(), key=lambda item: (item[1].exhibit, item[1].seq)):
        if sha in placed or data.matches.get(sha) or sha in failed or row.kind not in REVIEWABLE:
            continue
        stack = sorted(
            (
                s
                for s in group_of.get(sha, frozenset({sha}))
                if s != sha and not data.matches.get(s)
            ),
            key=lambda s: first_seen[s].seq,
        )
        placed.update(stack)
        placed.add(sha)
        hints = [h for s in (sha, *stack) for h in clue_hints(data.clues.get(s))]
        queue.append(
            {
                "sha256": sha,
                "path": row.ref.display(),
                "kind": row.kind.value,
                "copies": copies[sha],
                "clues": list(dict.fromkeys(hints)),
                "stack": [
                    {"sha256": s, "path": first_seen[s].ref.display(), "copies": copies[s]}
                    for s in stack
                ],
            }
        )
    # New material with clues that can locate a child comes first (a place, then a camera,
    # then a date); otherwise discovery order is kept (the sort is stable).
    return sorted(queue, key=lambda item: -clue_weight(item["clues"]))


def clue_hints(clues: MediaClues | None) -> list[str]:
    """Short labels of the clues a media carries, strongest first."""
    if clues is None:
        return []
    hints = []
    if clues.latitude is not None and clues.longitude is not None:
        hints.append(f"GPS {clues.latitude:.5f},{clues.longitude:.5f}")
    if clues.serial:
        hints.append(f"camera {clues.make or ''} serial {clues.serial}".replace("  ", " "))
    if clues.image_unique_id:
        hints.append(f"ImageUniqueID {clues.image_unique_id}")
    if clues.captured_raw:
        hints.append(f"taken {clues.captured_raw}")
    if clues.thumbnail_differs:
        hints.append("embedded thumbnail differs (edited or cropped)")
    return hints


def clue_weight(hints: Sequence[str]) -> int:
    """How much a media's clues can help locate a child: a place, then a camera, then a date."""
    weights = (("GPS", 8), ("camera", 4), ("ImageUniqueID", 2), ("embedded", 2), ("taken", 1))
    return sum(w for prefix, w in weights if any(h.startswith(prefix) for h in hints))
