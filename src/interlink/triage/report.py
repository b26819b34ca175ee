"""The case report model: one record per file, a new-first review queue with duplicates stacked,
known material grouped by series, warnings, and the summary figures. Pure: records in, a
JSON-ready report out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from interlink.domain.clues import MediaClues, VideoInfo
from interlink.domain.lists import EntryInfo
from interlink.domain.media import MediaKind
from interlink.domain.problems import ProblemKind
from interlink.domain.scan import ProblemRecord, SightingRecord
from interlink.signals import orb
from interlink.signals.vpdq_excerpt import EXCERPT_SIGNAL
from interlink.triage.clue_report import clue_sections
from interlink.triage.duplicates import PdqSignal, visual_groups
from interlink.triage.review_queue import REVIEWABLE, review_queue

REPORT_FORMAT = "interlink-case-report/1"
#: Problems that mean a media's content could not be analysed.
ANALYSIS_FAILURES = frozenset(
    {
        ProblemKind.CORRUPT,
        ProblemKind.TRUNCATED,
        ProblemKind.DECOMPRESSION_BOMB,
        ProblemKind.UNREADABLE,
        ProblemKind.UNSUPPORTED,
        ProblemKind.TIMEOUT,
    }
)


@dataclass(frozen=True, slots=True)
class MatchRow:
    """A stored match: entry, list, signal type and distance."""

    entry_id: int
    list_id: int
    signal_type: str
    distance: int


@dataclass(frozen=True, slots=True)
class CaseData:
    """Everything a case report is built from."""

    case: str
    sightings: Sequence[SightingRecord]
    problems: Sequence[ProblemRecord]
    pdq: Mapping[str, PdqSignal]
    matches: Mapping[str, Sequence[MatchRow]]
    entries: Mapping[int, EntryInfo]
    exhibits: Sequence[Mapping[str, Any]] = ()
    lists: Sequence[Mapping[str, Any]] = ()
    generated_at: datetime | None = None
    clues: Mapping[str, MediaClues] = field(default_factory=dict)
    videos: Mapping[str, VideoInfo] = field(default_factory=dict)
    trusted_votes: int = 3
    #: For videos that match a known video: where in each the shared footage lies.
    clips: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)
    #: For videos that are excerpts of known videos: by media, then by entry, the excerpt's
    #: record (``triage.excerpts.excerpt_json``).
    excerpts: Mapping[str, Mapping[int, Mapping[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Summary:
    """The figures of a scan or a case."""

    files: int = 0
    unique_media: int = 0
    binary_duplicates: int = 0
    visual_duplicates: int = 0
    known: int = 0
    known_by_list: Mapping[str, int] = field(default_factory=dict)
    known_by_category: Mapping[str, int] = field(default_factory=dict)
    known_by_series: Mapping[str, int] = field(default_factory=dict)
    victim_identified: int = 0
    new_images: int = 0
    new_videos: int = 0
    other_files: int = 0
    errors: int = 0
    warnings: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping of every figure."""
        return {
            "files": self.files,
            "unique_media": self.unique_media,
            "binary_duplicates": self.binary_duplicates,
            "visual_duplicates": self.visual_duplicates,
            "known": self.known,
            "known_by_list": dict(self.known_by_list),
            "known_by_category": dict(self.known_by_category),
            "known_by_series": dict(self.known_by_series),
            "victim_identified": self.victim_identified,
            "new_images": self.new_images,
            "new_videos": self.new_videos,
            "other_files": self.other_files,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def _match_json(
    match: MatchRow, info: EntryInfo | None, excerpt: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One match as the report shows it; an excerpt match also carries its ``excerpt``, and an
    ORB match (the known image after a crop, border or rotation) its ``score``: how many
    features agree."""
    category = info.category if info else None
    extra: dict[str, Any] = {"excerpt": dict(excerpt)} if excerpt is not None else {}
    if match.signal_type == orb.NAME:
        extra["score"] = orb.MAX_FEATURES - match.distance
    return {
        "list": info.list_name if info else None,
        "signal": match.signal_type,
        "distance": match.distance,
        "category": category.display() if category else None,
        "category_label": category.label if category else None,
        "series": info.series if info else None,
        "victim_identified": info.victim_identified if info else None,
        **extra,
    }


def _status(kind: MediaKind, known: bool, failed: bool) -> str:
    if known:
        return "known"
    if failed:
        return "error"
    if kind in REVIEWABLE:
        return "new"
    return "other"


@dataclass(frozen=True, slots=True)
class _Triage:
    """What the report and its summary both rest on: each media's first sighting and copies,
    the media whose analysis failed, the visual duplicate groups, problems by reference."""

    problems_by_ref: Mapping[str, Sequence[ProblemRecord]]
    first_seen: Mapping[str, SightingRecord]
    copies: Counter[str]
    failed: set[str]
    groups: Sequence[frozenset[str]]


def _triage(data: CaseData) -> _Triage:
    problems_by_ref: dict[str, list[ProblemRecord]] = defaultdict(list)
    for problem in data.problems:
        problems_by_ref[problem.problem.ref.key()].append(problem)
    first_seen: dict[str, SightingRecord] = {}
    copies: Counter[str] = Counter()
    failed: set[str] = set()
    for row in data.sightings:
        first_seen.setdefault(row.sha256, row)
        copies[row.sha256] += 1
        if any(p.problem.kind in ANALYSIS_FAILURES for p in problems_by_ref.get(row.ref.key(), ())):
            failed.add(row.sha256)
    groups = visual_groups({sha: data.pdq[sha] for sha in first_seen if sha in data.pdq})
    return _Triage(problems_by_ref, first_seen, copies, failed, groups)


def _lone_problems(data: CaseData) -> list[ProblemRecord]:
    """The first problem of each reference that has no sighting (an item not ingested)."""
    seen = {row.ref.key() for row in data.sightings}
    lone = []
    for problem in data.problems:
        if problem.problem.ref.key() not in seen:
            lone.append(problem)
            seen.add(problem.problem.ref.key())
    return lone


def build_report(data: CaseData) -> dict[str, Any]:
    """The JSON-ready case report (see ``docs/report.md`` for its fields)."""
    t = _triage(data)
    problems_by_ref, first_seen, copies, failed, groups = (
        t.problems_by_ref,
        t.first_seen,
        t.copies,
        t.failed,
        t.groups,
    )
    representative = {
        member: min(group, key=lambda s: first_seen[s].seq) for group in groups for member in group
    }
    files = [
        _file_record(row, data, first_seen, representative, problems_by_ref, failed)
        for row in data.sightings
    ]
    files += [_lone_problem_record(p, problems_by_ref) for p in _lone_problems(data)]
    errors = sum(1 for f in files if f["status"] == "error")
    summary = _summary(data, t, len(files), errors)
    sections = clue_sections(
        {sha: c for sha, c in data.clues.items() if sha in first_seen},
        {sha: row.exhibit for sha, row in first_seen.items()},
        {sha: row.ref.display() for sha, row in first_seen.items()},
    )
    return {
        "format": REPORT_FORMAT,
        "generated_at": data.generated_at.isoformat() if data.generated_at else None,
        "case": data.case,
        "exhibits": list(data.exhibits),
        "lists": list(data.lists),
        "summary": summary.to_json(),
        "review_queue": review_queue(data, first_seen, copies, groups, failed),
        "known_by_series": _known_by_series(data, first_seen, copies),
        **sections,
        "files": files,
        "warnings": [
            {
                "exhibit": p.exhibit,
                "path": p.problem.ref.display(),
                "kind": p.problem.kind.value,
                "message": p.problem.message,
                "ingested": p.ingested,
            }
            for p in data.problems
        ],
    }


def summarise(data: CaseData) -> Summary:
    """Only the summary figures of ``build_report`` (without building the rest of it)."""
    t = _triage(data)
    failed_rows = sum(
        1 for row in data.sightings if row.sha256 in t.failed and not data.matches.get(row.sha256)
    )
    lone = len(_lone_problems(data))
    return _summary(data, t, len(data.sightings) + lone, failed_rows + lone)


def _file_record(
    row: SightingRecord,
    data: CaseData,
    first_seen: Mapping[str, SightingRecord],
    representative: Mapping[str, str],
    problems_by_ref: Mapping[str, Sequence[ProblemRecord]],
    failed: set[str],
) -> dict[str, Any]:
    signal = data.pdq.get(row.sha256)
    matches = data.matches.get(row.sha256, ())
    excerpts = data.excerpts.get(row.sha256, {})
    first = first_seen[row.sha256]
    visual = representative.get(row.sha256)
    return {
        "exhibit": row.exhibit,
        "path": row.ref.display(),
        "provenance": row.ref.to_json(),
        "sha256": row.sha256,
        "md5": row.md5,
        "sha1": row.sha1,
        "size": row.size,
        "pdq": signal.value if signal else None,
        "pdq_quality": signal.quality if signal else None,
        "media_type": row.media_type,
        "kind": row.kind.value,
        "width": row.width,
        "height": row.height,
        "modified": row.modified.isoformat() if row.modified else None,
        "status": _status(row.kind, bool(matches), row.sha256 in failed),
        "duplicate_of": None if first is row else first.ref.display(),
        "visual_duplicate_of": (
            first_seen[visual].ref.display() if visual and visual != row.sha256 else None
        ),
        "matches": [
            _match_json(
                m,
                data.entries.get(m.entry_id),
                excerpts.get(m.entry_id) if m.signal_type == EXCERPT_SIGNAL else None,
            )
            for m in matches
        ],
        **_grading(matches, data),
        "problems": [
            {"kind": p.problem.kind.value, "message": p.problem.message}
            for p in problems_by_ref.get(row.ref.key(), ())
        ],
        "clues": _clues_json(data.clues.get(row.sha256)),
        "video": _video_json(data.videos.get(row.sha256)),
        "clips": list(data.clips.get(row.sha256, ())),
    }


def _grading(matches: Sequence[MatchRow], data: CaseData) -> dict[str, Any]:
    """The categories the matched entries give, each with how many independent agencies
    vouch for it; trusted at ``data.trusted_votes``; a conflict when one scheme gets two
    codes (every vote is shown, none overrides another)."""
    agencies: dict[str, set[str]] = {}
    for match in matches:
        info = data.entries.get(match.entry_id)
        if info is not None and info.category is not None:
            voter = info.agency or info.list_name
            agencies.setdefault(info.category.display(), set()).add(voter)
    votes = [
        {"category": c, "agencies": len(a), "trusted": len(a) >= data.trusted_votes}
        for c, a in sorted(agencies.items())
    ]
    schemes = [c.split(":", 1)[0] for c in agencies]
    return {"category_votes": votes, "category_conflict": len(schemes) != len(set(schemes))}


def _clues_json(clues: MediaClues | None) -> dict[str, Any] | None:
    if clues is None:
        return None
    return {
        "make": clues.make,
        "model": clues.model,
        "serial": clues.serial,
        "lens_serial": clues.lens_serial,
        "image_unique_id": clues.image_unique_id,
        "software": clues.software,
        "captured": clues.captured_raw,
        "captured_utc": clues.captured_utc.isoformat() if clues.captured_utc else None,
        "gps": None
        if clues.latitude is None or clues.longitude is None
        else {"latitude": clues.latitude, "longitude": clues.longitude, "altitude": clues.altitude},
        "thumbnail_differs": clues.thumbnail_differs,
        "facts": [{"name": f.name, "value": f.value, "source": f.source} for f in clues.facts],
    }


def _video_json(video: VideoInfo | None) -> dict[str, Any] | None:
    if video is None:
        return None
    return {
        "container": video.container,
        "codec": video.codec,
        "fps": round(video.fps, 3),
        "duration": video.duration,
        "frames_seen": video.frames_seen,
        "sampled_frames": video.sampled,
        "every_seconds": video.every_seconds,
    }


def _lone_problem_record(
    problem: ProblemRecord, problems_by_ref: Mapping[str, Sequence[ProblemRecord]]
) -> dict[str, Any]:
    ref = problem.problem.ref
    return {
        "exhibit": problem.exhibit,
        "path": ref.display(),
        "provenance": ref.to_json(),
        "sha256": None,
        "md5": None,
        "sha1": None,
        "size": None,
        "pdq": None,
        "pdq_quality": None,
        "media_type": None,
        "kind": None,
        "width": None,
        "height": None,
        "modified": None,
        "status": "error",
        "duplicate_of": None,
        "visual_duplicate_of": None,
        "matches": [],
        "problems": [
            {"kind": p.problem.kind.value, "message": p.problem.message}
            for p in problems_by_ref[ref.key()]
        ],
        "clues": None,
        "video": None,
        "clips": [],
        "category_votes": [],
        "category_conflict": False,
    }


def _summary(data: CaseData, t: _Triage, files: int, errors: int) -> Summary:
    """The summary figures; ``files`` records in the report, ``errors`` of them errors."""
    first_seen, copies, groups, failed = t.first_seen, t.copies, t.groups, t.failed
    by_list: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_series: Counter[str] = Counter()
    known = identified = new_images = new_videos = other = 0
    for sha, row in first_seen.items():
        matches = data.matches.get(sha, ())
        if matches:
            known += 1
            infos = [data.entries[m.entry_id] for m in matches if m.entry_id in data.entries]
            by_list.update({i.list_name for i in infos})
            by_category.update({i.category.display() for i in infos if i.category})
            by_series.update({i.series for i in infos if i.series})
            identified += any(i.victim_identified for i in infos)
        elif sha in failed:
            continue
        elif row.kind is MediaKind.IMAGE:
            new_images += 1
        elif row.kind is MediaKind.VIDEO:
            new_videos += 1
        else:
            other += 1
    return Summary(
        files=files,
        unique_media=len(first_seen),
        binary_duplicates=sum(copies.values()) - len(copies),
        visual_duplicates=sum(len(g) - 1 for g in groups),
        known=known,
        known_by_list=dict(sorted(by_list.items())),
        known_by_category=dict(sorted(by_category.items())),
        known_by_series=dict(sorted(by_series.items())),
        victim_identified=identified,
        new_images=new_images,
        new_videos=new_videos,
        other_files=other,
        errors=errors,
        warnings=len(data.problems),
    )


def _known_by_series(
    data: CaseData, first_seen: Mapping[str, SightingRecord], copies: Counter[str]
) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for sha, row in first_seen.items():
        for match in data.matches.get(sha, ()):
            info = data.entries.get(match.entry_id)
            series = (info.series if info else None) or ""
            group = groups.setdefault(
                series,
                {
                    "series": series or None,
                    "victim_identified": False,
                    "categories": set(),
                    "media": {},
                },
            )
            if info and info.victim_identified:
                group["victim_identified"] = True
            if info and info.category:
                group["categories"].add(info.category.display())
            item = group["media"].setdefault(
                sha, {"sha256": sha, "path": row.ref.display(), "copies": copies[sha]}
            )
            excerpt = data.excerpts.get(sha, {}).get(match.entry_id)
            if excerpt is not None and match.signal_type == EXCERPT_SIGNAL:
                item.setdefault("excerpts", []).append(excerpt["label"])
    return [
        {
            "series": group["series"],
            "victim_identified": group["victim_identified"],
            "categories": sorted(group["categories"]),
            "media": list(group["media"].values()),
        }
        for _, group in sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))
    ]
