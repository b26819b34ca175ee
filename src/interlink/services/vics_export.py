"""Export a scanned case as a VICS 2.0 case file: every media with its hashes (PDQ and the
others as alternative hashes), its category where the known lists agree on a Project VIC one,
a ``MediaFiles`` row per copy with its provenance, and for an excerpt of a known video, which
one and where in it (``Comments``). Only hashes and metadata are written:
the media themselves stay on this node."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from interlink import __version__
from interlink.adapters.files import atomic_output
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency
from interlink.domain.categories import Category
from interlink.domain.media import Media, Sighting
from interlink.domain.signals import Signal
from interlink.formats.base import WriteReport
from interlink.formats.vics import case_of_scan, media_of_scan, write_vics_case
from interlink.services.cases import own_case
from interlink.services.reports import video_excerpts
from interlink.signals import pdq
from interlink.triage.report import MatchRow

#: The scheme of the VICS US profile's categories.
VICS_SCHEME = "projectvic-us"


def export_vics(
    store: SqlStore, case: str, out: Path, *, agency: Agency, actor: str = "local"
) -> WriteReport:
    """Write the case ``case`` of ``agency`` to ``out`` (atomically); audited."""
    record = own_case(store, case, agency)
    rows = list(store.media.case_sightings(record.id))
    shas = sorted({row.sha256 for row in rows})
    signals = store.media.signals_of(shas, pdq.NAME)
    matches = store.media.matches_of(shas)
    infos = store.lists.info(m[0] for found in matches.values() for m in found)
    excerpts = video_excerpts(
        store, {sha: [MatchRow(*m) for m in found] for sha, found in matches.items()}, infos
    )
    seen: dict[str, list[Sighting]] = defaultdict(list)
    first: dict[str, Media] = {}
    for row in rows:
        seen[row.sha256].append(Sighting(row.sha256, row.ref, row.size, row.modified))
        if row.sha256 not in first:
            hashes = [
                Signal("md5", row.md5),
                Signal("sha1", row.sha1),
                Signal("sha256", row.sha256),
            ]
            if row.sha256 in signals:
                value, quality, _ = signals[row.sha256]
                hashes.append(Signal(pdq.NAME, value, quality))
            first[row.sha256] = Media(
                row.sha256,
                row.md5,
                row.sha1,
                row.size,
                row.media_type,
                row.kind,
                row.width,
                row.height,
                tuple(hashes),
            )

    def category(sha: str) -> Category | None:
        votes: dict[Category, int] = defaultdict(int)
        for entry_id, *_ in matches.get(sha, ()):
            info = infos.get(entry_id)
            if info is not None and info.category and info.category.scheme == VICS_SCHEME:
                votes[info.category] += 1
        return max(sorted(votes), key=lambda c: votes[c]) if votes else None

    def comments(sha: str) -> str | None:
        labels = [record["label"] for _, record in sorted(excerpts.get(sha, {}).items())]
        return "; ".join(labels) or None

    media = (
        media_of_scan(
            first[sha],
            seen[sha],
            media_id=index + 1,
            category=category(sha),
            comments=comments(sha),
        )
        for index, sha in enumerate(shas)
    )
    with atomic_output(out) as stream:
        report = write_vics_case(case_of_scan(record, agency, __version__), media, stream)
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=actor,
            action="case.export_vics",
            object_type="case",
            object_id=str(record.id),
            after={"file": str(out), "media": report.written},
        )
    return report
