"""The scan's pipeline: every entry of the exhibit, skipped when already recorded, else
handed to the workers (by path, as a file of a disk image, as bytes, or spooled to a temporary
file)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from interlink.adapters.sql.media import ref_hash
from interlink.domain.problems import Problem
from interlink.services.progress import Progress
from interlink.services.scan_options import ScanOptions
from interlink.services.scan_record import Pending
from interlink.services.scan_workers import Workers
from interlink.services.scan_writer import BatchWriter
from interlink.services.worker import WorkItem, read_failure
from interlink.sources.base import Entry

if TYPE_CHECKING:  # the indexes load numba: imported only when there is something to match
    from interlink.triage.known import KnownMatcher


def run_pipeline(
    items: Iterator[Entry | Problem],
    done: set[str],
    seen: set[str],
    matcher: KnownMatcher | None,
    options: ScanOptions,
    writer: BatchWriter,
    progress: Progress,
    pool: Executor,
) -> tuple[int, int]:
    """Hand every entry of ``items`` not yet ``done`` to the workers and record what they
    return (problems go straight to ``writer``); how many items were ingested and skipped."""
    skipped = 0
    seq = 0
    with tempfile.TemporaryDirectory(prefix="interlink-scan-") as spool:
        pipeline = Workers(options, matcher, writer, progress, pool, seen)
        try:
            for item in items:
                if isinstance(item, Problem):
                    writer.add_problem(item)
                    continue
                current = seq
                seq += 1
                if ref_hash(item.ref) in done:
                    skipped += 1
                    progress.advance()
                    continue
                pending = Pending(current, item)
                work = work_item(pending, Path(spool), options, writer)
                if work is None:
                    progress.advance()
                    continue
                pipeline.submit(work, pending)
            pipeline.drain()
            pipeline.record_carved()
        finally:
            pipeline.close()
    return pipeline.ingested, skipped


def work_item(
    pending: Pending, spool: Path, options: ScanOptions, writer: BatchWriter
) -> WorkItem | None:
    """The work item of an entry: its path (a plain file, which the worker opens), where it is
    in a disk image (which the worker opens too), its bytes (an archive member up to
    ``limits.spool_bytes``) or its copy spooled under ``spool``; ``None`` (and a problem) when
    it cannot be read."""
    entry = pending.entry
    base = WorkItem(pending.seq, entry.ref, options=options.analysis)
    if entry.local_path is not None:
        return replace(base, path=str(entry.local_path))
    if entry.member is not None:
        return replace(base, member=entry.member)
    try:
        with entry.open() as stream:
            if entry.size <= options.limits.spool_bytes:
                return replace(base, data=stream.read())
            pending.temp = spool / f"{pending.seq}.bin"
            with pending.temp.open("wb") as out:
                while chunk := stream.read(1 << 20):
                    out.write(chunk)
            return replace(base, path=str(pending.temp), spooled=True)
    except OSError as exc:
        kind, message = read_failure(exc)
        writer.add_problem(Problem(entry.ref, kind, message))
    return None
