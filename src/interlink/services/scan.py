"""Scan an exhibit: enumerate it, analyse every file on worker processes, match against the
known lists, and record everything in the store in small committed batches.

A scan is resumable: a scan killed at any point and started again skips every item already
recorded and finishes without duplicates or loss. Bad items become problems; the scan goes on.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency
from interlink.domain.disk import ImageFacts
from interlink.domain.provenance import SourceRef
from interlink.services.cases import after_scan
from interlink.services.executor import executor
from interlink.services.known_cache import chosen_lists
from interlink.services.progress import NoProgress, Progress
from interlink.services.reports import exhibit_summary
from interlink.services.scan_options import ScanOptions, ScanResult
from interlink.services.scan_pipeline import run_pipeline
from interlink.services.scan_size import count_files, is_small
from interlink.services.scan_workers import from_main
from interlink.services.scan_writer import BatchWriter
from interlink.sources.exhibit import open_exhibit

if TYPE_CHECKING:  # the indexes load numba: imported only when there is something to match
    from interlink.triage.known import KnownMatcher

__all__ = ["ScanOptions", "ScanResult", "count_files", "scan_exhibit"]


def scan_exhibit(
    store: SqlStore,
    source: Path,
    *,
    case: str,
    exhibit: str | None = None,
    options: ScanOptions | None = None,
    progress: Progress | None = None,
    actor: str = "local",
    agency: Agency | None = None,
) -> ScanResult:
    """Ingest, match and record the exhibit at ``source`` into ``case``.

    The exhibit is named ``exhibit`` (default: the source's file name). Scanning an exhibit
    again resumes it: what is recorded is skipped, the rest is added. A new case belongs to
    ``agency`` (default: the local agency); another agency's case is refused. Once complete,
    the case is linked with other cases and watch hits are recorded (``after_scan``).
    """
    options = options or ScanOptions()
    progress = progress or NoProgress()
    root = source.absolute()
    if options.cluster:
        from interlink.services.dask_executor import dask_executor

        pool: Executor = dask_executor(options.cluster)
    else:
        small = is_small(root, options.inline_below, options.inline_bytes)
        # Workers start in the background while the store and indexes are prepared.
        pool = executor(0 if small else options.workers, main=from_main(options))
    try:
        return _scan(store, root, case, exhibit, options, progress, actor, agency, pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _scan(
    store: SqlStore,
    source: Path,
    case: str,
    exhibit: str | None,
    options: ScanOptions,
    progress: Progress,
    actor: str,
    agency: Agency | None,
    pool: Executor,
) -> ScanResult:
    started = time.monotonic()
    root = source
    name = exhibit or root.name
    matcher = _matcher(store, options)
    with store.transaction() as tx:
        case_record, _ = store.cases.ensure_case(tx, case, agency)
        exhibit_record, _ = store.cases.ensure_exhibit(tx, case_record.id, name, str(root))
        scan, resumed = store.media.open_scan(tx, exhibit_record.id, options.to_json())
        store.audit.append(
            tx,
            actor=actor,
            action="scan.resume" if resumed else "scan.start",
            object_type="exhibit",
            object_id=str(exhibit_record.id),
            after={"case": case, "exhibit": name, "root": str(root), "scan": str(scan.id)},
        )
    done = store.media.done_refs(exhibit_record.id)
    progress.grow(count_files(root))
    writer = BatchWriter(store, scan.id, exhibit_record.id, options)
    images: dict[str, ImageFacts] = {}
    items = open_exhibit(
        root,
        name,
        options.limits,
        options.disk,
        lambda ref, facts: images.__setitem__(ref.key(), facts),
    )
    seen = store.cases.exhibit_media(exhibit_record.id)
    ingested, skipped = run_pipeline(items, done, seen, matcher, options, writer, progress, pool)
    writer.flush()
    if images:
        with store.transaction() as tx:
            store.cases.record_images(
                tx, exhibit_record.id, {key: facts.to_json() for key, facts in images.items()}
            )
    summary = exhibit_summary(store, case_record.name, exhibit_record.id)
    with store.transaction() as tx:
        store.media.finish_scan(tx, scan.id, summary.to_json())
        store.audit.append(
            tx,
            actor=actor,
            action="scan.complete",
            object_type="exhibit",
            object_id=str(exhibit_record.id),
            after={"scan": str(scan.id), "summary": summary.to_json()},
        )
    after_scan(store, case_record.name, exhibit_record.id, actor, agency, options.index_cache)
    return ScanResult(
        case,
        name,
        str(scan.id),
        resumed,
        ingested,
        skipped,
        time.monotonic() - started,
        summary,
        {SourceRef.from_key(key).display(): facts.to_json() for key, facts in images.items()},
    )


def _matcher(store: SqlStore, options: ScanOptions) -> KnownMatcher | None:
    """The matcher over the chosen lists, or ``None`` when they hold no entry at all."""
    lists = chosen_lists(store, options.lists)  # unknown names are an error even so
    if not any(stored.entries for stored in lists):
        return None
    from interlink.services.known_cache import known_matcher

    return known_matcher(store, options.lists, options.index_cache)
