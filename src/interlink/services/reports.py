"""Case reports: gather a case from the store and build its JSON and HTML reports."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from interlink.adapters.files import atomic_output, output_folder
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency, Case
from interlink.domain.lists import EntryInfo
from interlink.services.cases import own_case
from interlink.signals import vpdq
from interlink.signals.vpdq_clips import find_clips
from interlink.signals.vpdq_excerpt import EXCERPT_SIGNAL, find_excerpt
from interlink.triage.duplicates import PdqSignal
from interlink.triage.excerpts import excerpt_json
from interlink.triage.report import CaseData, MatchRow, Summary, build_report, summarise


def _load_media(
    store: SqlStore, case_id: uuid.UUID, exhibit_id: uuid.UUID | None, *, trusted_votes: int
) -> CaseData:
    """What the summary of the case (or of one of its exhibits) is built from: sightings,
    problems, PDQ hashes, matches and the matched entries."""
    sightings = list(store.media.case_sightings(case_id, exhibit_id))
    shas = sorted({row.sha256 for row in sightings})
    pdq = {
        sha: PdqSignal(value, quality, variants)
        for sha, (value, quality, variants) in store.media.signals_of(shas, "pdq").items()
    }
    matches = {
        sha: [MatchRow(*row) for row in rows] for sha, rows in store.media.matches_of(shas).items()
    }
    return CaseData(
        case="",
        sightings=sightings,
        problems=store.media.case_problems(case_id, exhibit_id),
        pdq=pdq,
        matches=matches,
        entries=store.lists.info(m.entry_id for rows in matches.values() for m in rows),
        trusted_votes=trusted_votes,
    )


def load_case(
    store: SqlStore,
    case: str,
    exhibit_id: uuid.UUID | None = None,
    *,
    trusted_votes: int = 3,
    record: Case | None = None,
) -> CaseData:
    """Everything the report of ``case`` (or of one of its exhibits) is built from;
    ``record``: the case as the caller has just read it (else read here)."""
    record = record if record is not None else store.cases.get(case)
    data = _load_media(store, record.id, exhibit_id, trusted_votes=trusted_votes)
    shas = sorted({row.sha256 for row in data.sightings})
    exhibits = [
        {
            "name": e.name,
            "root": e.root,
            "scans": [
                {
                    "id": str(s.id),
                    "status": s.status,
                    "started_at": s.started_at.isoformat(),
                    "finished_at": s.finished_at.isoformat() if s.finished_at else None,
                }
                for s in store.media.scans_of(e.id)
            ],
        }
        for e in store.cases.exhibits(record.id)
        if exhibit_id is None or e.id == exhibit_id
    ]
    lists = [
        {
            "name": s.list.name,
            "version": s.list.version,
            "entries": s.entries,
            "enabled": s.list.enabled,
        }
        for s in store.lists.all()
    ]
    return replace(
        data,
        case=record.name,
        exhibits=exhibits,
        lists=lists,
        generated_at=datetime.now(UTC),
        clues=store.media.clues_of(shas),
        videos=store.media.videos_of(shas),
        clips=video_clips(store, data.matches, data.entries),
        excerpts=video_excerpts(store, data.matches, data.entries),
    )


def exhibit_summary(store: SqlStore, case: str, exhibit_id: uuid.UUID) -> Summary:
    """The summary figures of one exhibit (read without the rest of its report)."""
    record = store.cases.get(case)
    return summarise(replace(_load_media(store, record.id, exhibit_id, trusted_votes=3), case=case))


def case_report(
    store: SqlStore, case: str, *, trusted_votes: int = 3, record: Case | None = None
) -> dict[str, Any]:
    """The JSON-ready report of a case, with its links to other cases (as its agency sees
    them). The case is read once (``record``: as the caller has just read it) for every part
    of the report."""
    # Imported here: a scan needs only ``exhibit_summary`` of this module (start-up time).
    from interlink.services.case_links import report_links
    from interlink.services.chat_views import report_section
    from interlink.triage.links import add_links

    record = record if record is not None else store.cases.get(case)
    report = build_report(load_case(store, case, trusted_votes=trusted_votes, record=record))
    report["conversations"] = report_section(store, record.id)
    return add_links(report, report_links(store, case, record=record))


@dataclass(frozen=True, slots=True)
class WrittenReport:
    """Where a report was written."""

    json_path: Path
    html_path: Path
    report: dict[str, Any]


def read_report(
    store: SqlStore,
    case: str,
    *,
    actor: str = "local",
    trusted_votes: int = 3,
    agency: Agency | None = None,
    record: Case | None = None,
) -> dict[str, Any]:
    """The JSON-ready report of a case, for a person to read; audited. With ``agency``, only
    that agency's own case (``AccessDeniedError`` otherwise); ``record``: the case as the
    caller has just read it through its agency's scope (then neither read nor checked
    again)."""
    if record is None:
        record = own_case(store, case, agency) if agency is not None else store.cases.get(case)
    report = case_report(store, case, trusted_votes=trusted_votes, record=record)
    # A read changes nothing else: its record goes with the other reads' (group commit).
    store.audit.record(
        actor=actor,
        action="report.read",
        object_type="case",
        object_id=str(record.id),
        after={"files": len(report["files"])},
    )
    return report


def write_report(
    store: SqlStore,
    case: str,
    out_dir: Path,
    *,
    actor: str = "local",
    trusted_votes: int = 3,
    agency: Agency | None = None,
) -> WrittenReport:
    """Write ``report.json`` and a self-contained ``report.html`` of the case into ``out_dir``.

    Every thumbnail in the HTML is blurred and greyscale; revealing one is an explicit click.
    Writing a report is audited.
    """
    if agency is not None:
        own_case(store, case, agency)
    report = case_report(store, case, trusted_votes=trusted_votes)
    output_folder(out_dir)
    json_path = out_dir / "report.json"
    html_path = out_dir / "report.html"
    with atomic_output(json_path) as stream:
        stream.write(json.dumps(report, indent=2, ensure_ascii=False).encode("utf-8"))
    from interlink.triage.html import render_report  # Jinja, for this page only

    with atomic_output(html_path) as stream:
        stream.write(render_report(report, store.media.thumbnail).encode("utf-8"))
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=actor,
            action="report.write",
            object_type="case",
            object_id=str(store.cases.get(case).id),
            after={"json": str(json_path), "html": str(html_path), "files": len(report["files"])},
        )
    return WrittenReport(json_path, html_path, report)


def _video_pairs(
    store: SqlStore, matches: Mapping[str, Sequence[MatchRow]], signal_type: str
) -> Iterator[tuple[str, int, vpdq.Features, vpdq.Features]]:
    """For each match of ``signal_type`` whose media and entry both have stored feature lists:
    (media, entry, the media's features, the known video's features)."""
    pairs = [
        (sha, m.entry_id)
        for sha, rows in matches.items()
        for m in rows
        if m.signal_type == signal_type
    ]
    if not pairs:
        return
    ours = store.media.signals_of(sorted({sha for sha, _ in pairs}), vpdq.NAME)
    known = store.lists.signal_values((entry for _, entry in pairs), vpdq.NAME)
    for sha, entry_id in pairs:
        if sha in ours and entry_id in known:
            yield sha, entry_id, vpdq.loads(ours[sha][0]), vpdq.loads(known[entry_id])


def video_clips(
    store: SqlStore, matches: Mapping[str, Sequence[MatchRow]], entries: Mapping[int, EntryInfo]
) -> dict[str, list[dict[str, Any]]]:
    """For each media that matched a known video: the stretches of the known video found in
    it, with their times in both (a clip of a known video inside a longer one shows here)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for sha, entry_id, ours, known in _video_pairs(store, matches, vpdq.NAME):
        info = entries.get(entry_id)
        for clip in find_clips(known, ours):
            found.setdefault(sha, []).append(
                {
                    "list": info.list_name if info else None,
                    "entry": entry_id,
                    "known_start": clip.a_start,
                    "known_end": clip.a_end,
                    "at_start": clip.b_start,
                    "at_end": clip.b_end,
                    "frames": clip.frames,
                    "coverage": round(clip.coverage, 3),
                }
            )
    return found


def video_excerpts(
    store: SqlStore, matches: Mapping[str, Sequence[MatchRow]], entries: Mapping[int, EntryInfo]
) -> dict[str, dict[int, dict[str, Any]]]:
    """For each media recorded as an excerpt of known videos: by entry, the excerpt's record
    (``triage.excerpts.excerpt_json``), found again from the stored feature lists by the rule
    that recorded the match. A match the rule no longer finds (its thresholds changed) has no
    record; the match itself stays."""
    found: dict[str, dict[int, dict[str, Any]]] = {}
    for sha, entry_id, ours, known in _video_pairs(store, matches, EXCERPT_SIGNAL):
        excerpt = find_excerpt(ours, known)
        if excerpt is not None:
            found.setdefault(sha, {})[entry_id] = excerpt_json(
                excerpt, entry_id, entries.get(entry_id)
            )
    return found
