"""Scan an exhibit: enumerate it, analyse every file on worker processes, match against the
known lists, and record everything in the store in small committed batches.

A scan is resumable: a scan killed at any point and started again skips every item already
recorded and finishes without duplicates or loss. Bad items become problems; the scan goes on.
"""

from __future__ import annotations

import os
import queue
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from interlink.adapters.sql.media import ref_hash
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency
from interlink.domain.disk import ImageFacts
from interlink.domain.media import Media, Sighting
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.domain.scan import EntryMatch, ScannedFile
from interlink.domain.signals import Signal
from interlink.media.analyse import AnalysisOptions
from interlink.media.records import video_info
from interlink.services.cases import after_scan
from interlink.services.executor import executor, in_flight
from interlink.services.known_cache import chosen_lists
from interlink.services.progress import NoProgress, Progress
from interlink.services.reports import exhibit_summary
from interlink.services.worker import WorkItem, WorkResult, read_failure, run
from interlink.signals import orb, vpdq
from interlink.sources.base import DiskOptions, Entry, Limits
from interlink.sources.exhibit import open_exhibit
from interlink.triage.report import Summary

if TYPE_CHECKING:  # the indexes load numba: imported only when there is something to match
    from interlink.triage.known import KnownMatcher


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How to scan. ``workers`` 0 analyses in this process (no pool); ``lists`` names the
    lists to match against (``None``: every enabled list). An exhibit of fewer than
    ``inline_below`` files holding at most ``inline_bytes`` in all is analysed in this process
    whatever ``workers`` says: starting workers would cost it more time than they save."""

    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    inline_below: int = 16
    inline_bytes: int = 64 << 20
    lists: tuple[str, ...] | None = None
    limits: Limits = field(default_factory=Limits)
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
    batch_size: int = 256
    batch_seconds: float = 2.0
    #: Where the known lists' indexes are cached between scans (``None``: built each scan).
    index_cache: Path | None = None
    #: The Dask scheduler to run the work on (``tcp://HOST:8786``); ``None``: local processes.
    cluster: str | None = None
    #: The function workers run on each item (a seam for tests of worker crashes).
    runner: Callable[[WorkItem], WorkResult] = run
    #: How storage-media images are read (carving, snapshots, credentials, verification).
    disk: DiskOptions = field(default_factory=DiskOptions)

    def to_json(self) -> dict[str, Any]:
        """The options as stored with the scan (credentials by kind only, never their value)."""
        data = asdict(self)
        data["disk"]["credentials"] = [kind for kind, _ in self.disk.credentials]
        data["lists"] = list(self.lists) if self.lists is not None else None
        data["runner"] = f"{self.runner.__module__}.{self.runner.__qualname__}"
        data["index_cache"] = str(self.index_cache) if self.index_cache else None
        return data


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan did: the exhibit's summary, and what this run added or skipped."""

    case: str
    exhibit: str
    scan_id: str
    resumed: bool
    ingested: int
    skipped: int
    seconds: float
    summary: Summary
    #: Storage-media images read: provenance display -> their facts (``ImageFacts.to_json``).
    images: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The result as JSON (what ``interlink scan --json`` and a finished job show)."""
        return {
            "case": self.case,
            "exhibit": self.exhibit,
            "scan": self.scan_id,
            "resumed": self.resumed,
            "ingested": self.ingested,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "summary": self.summary.to_json(),
            "images": self.images,
        }


def count_files(root: Path) -> int:
    """How many files lie under ``root`` (1 for a file), without following links: the first
    estimate of a scan's size, refined as archives are opened."""
    if not root.is_dir():
        return 1
    return sum(len(files) for _, _, files in os.walk(root))


@dataclass(slots=True)
class _Pending:
    seq: int
    entry: Entry
    temp: Path | None = None


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
        small = _small(root, options.inline_below, options.inline_bytes)
        # Workers start in the background while the store and indexes are prepared.
        pool = executor(0 if small else options.workers)
    try:
        return _scan(store, root, case, exhibit, options, progress, actor, agency, pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _small(root: Path, files: int, size: int) -> bool:
    """Whether ``root`` holds fewer than ``files`` files and at most ``size`` bytes in all."""
    if files <= 0:
        return False
    if not root.is_dir():
        return root.stat().st_size <= size if root.exists() else True
    count = total = 0
    for folder, _, names in os.walk(root):
        for name in names:
            count += 1
            try:
                total += os.lstat(os.path.join(folder, name)).st_size
            except OSError:
                continue
            if count >= files or total > size:
                return False
    return True


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
    writer = _BatchWriter(store, scan.id, exhibit_record.id, options)
    images: dict[str, ImageFacts] = {}
    items = open_exhibit(
        root,
        name,
        options.limits,
        options.disk,
        lambda ref, facts: images.__setitem__(ref.key(), facts),
    )
    seen = store.cases.exhibit_media(exhibit_record.id)
    ingested, skipped = _run_pipeline(items, done, seen, matcher, options, writer, progress, pool)
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
    after_scan(store, case_record.name, exhibit_record.id, actor, agency)
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


class _BatchWriter:
    """Buffers scanned items and commits them in batches (by count or age)."""

    def __init__(
        self, store: SqlStore, scan_id: Any, exhibit_id: Any, options: ScanOptions
    ) -> None:
        self._store = store
        self._scan_id = scan_id
        self._exhibit_id = exhibit_id
        self._options = options
        self._files: list[tuple[int, ScannedFile]] = []
        self._problems: list[Problem] = []
        self._since = time.monotonic()

    def add_file(self, seq: int, item: ScannedFile) -> None:
        self._files.append((seq, item))
        self._maybe_flush()

    def add_problem(self, problem: Problem) -> None:
        self._problems.append(problem)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        size = len(self._files) + len(self._problems)
        age = time.monotonic() - self._since
        if size >= self._options.batch_size or age >= self._options.batch_seconds:
            self.flush()

    def flush(self) -> None:
        if self._files or self._problems:
            with self._store.transaction() as tx:
                self._store.media.record(
                    tx, self._scan_id, self._exhibit_id, self._files, self._problems
                )
        self._files, self._problems = [], []
        self._since = time.monotonic()


def _run_pipeline(
    items: Iterator[Entry | Problem],
    done: set[str],
    seen: set[str],
    matcher: KnownMatcher | None,
    options: ScanOptions,
    writer: _BatchWriter,
    progress: Progress,
    pool: Executor,
) -> tuple[int, int]:
    skipped = 0
    seq = 0
    with tempfile.TemporaryDirectory(prefix="interlink-scan-") as spool:
        pipeline = _Workers(options, matcher, writer, progress, pool, seen)
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
                pending = _Pending(current, item)
                work = _work_item(pending, Path(spool), options, writer)
                if work is None:
                    progress.advance()
                    continue
                pipeline.submit(work, pending)
            pipeline.drain()
            pipeline.record_carved()
        finally:
            pipeline.close()
    return pipeline.ingested, skipped


class _Workers:
    """Worker processes with a bounded number of items in flight.

    If a worker dies (a decoder crashing on hostile input kills the whole pool), the items
    that were in flight are retried one at a time in a fresh process: the one that kills it
    again becomes a problem, the others are ingested, and the scan goes on.

    Carved items are held back until everything else is recorded (``record_carved``): one
    whose content equals a file the exhibit holds (``seen``: SHA-256 of what it has, grown as
    items are recorded) is the same evidence found again and is not recorded twice.
    """

    def __init__(
        self,
        options: ScanOptions,
        matcher: KnownMatcher | None,
        writer: _BatchWriter,
        progress: Progress,
        pool: Executor,
        seen: set[str],
    ) -> None:
        self._options = options
        self._seen = seen
        self._carved: list[tuple[WorkResult, _Pending]] = []
        self._matcher = matcher
        self._writer = writer
        self._progress = progress
        self._pool = pool
        self._limit = in_flight(pool, options.workers)
        self._in_flight: dict[Future[WorkResult], tuple[WorkItem, _Pending]] = {}
        # Futures report themselves here when done, so collecting one costs O(1) whatever
        # the number in flight.
        self._done: queue.SimpleQueue[Future[WorkResult]] = queue.SimpleQueue()
        self.ingested = 0

    def submit(self, work: WorkItem, pending: _Pending) -> None:
        future = self._pool.submit(self._options.runner, work)
        self._in_flight[future] = (work, pending)
        future.add_done_callback(self._done.put)
        while len(self._in_flight) >= self._limit:
            self._collect(block=True)
        self._collect(block=False)

    def drain(self) -> None:
        while self._in_flight:
            self._collect(block=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _collect(self, *, block: bool) -> None:
        """Finish what is done: at least one item when ``block``."""
        while self._in_flight:
            try:
                future = self._done.get(block=block)
            except queue.Empty:
                return
            entry = self._in_flight.pop(future, None)
            if entry is None:
                continue  # from a pool that broke; its items were retried
            work, pending = entry
            try:
                result = future.result()
            except BrokenExecutor:
                self._recover([(work, pending), *self._in_flight.values()])
                return
            self._finish(result, pending)
            block = False

    def record_carved(self) -> None:
        """Record the carved items held back, but none whose content the exhibit holds."""
        for result, pending in self._carved:
            analysis = result.analysis
            if analysis is not None and analysis.sha256 in self._seen:
                continue
            self.ingested += _record(result, pending, self._matcher, self._writer)
        self._carved.clear()

    def _finish(self, result: WorkResult, pending: _Pending) -> None:
        if pending.temp is not None:
            pending.temp.unlink(missing_ok=True)
        self._progress.advance()
        if pending.entry.ref.layers and pending.entry.ref.layers[-1].kind == "carved":
            self._carved.append((result, pending))
            return
        if result.analysis is not None:
            self._seen.add(result.analysis.sha256)
        self.ingested += _record(result, pending, self._matcher, self._writer)

    def _recover(self, suspects: list[tuple[WorkItem, _Pending]]) -> None:
        self._in_flight.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for work, pending in suspects:
            with executor(1) as alone:
                try:
                    result = alone.submit(self._options.runner, work).result()
                except BrokenExecutor:
                    result = WorkResult(
                        work.key, None, (ProblemKind.CORRUPT, "the analysis crashed on this file")
                    )
            self._finish(result, pending)
        self._pool = executor(self._options.workers)


def _work_item(
    pending: _Pending, spool: Path, options: ScanOptions, writer: _BatchWriter
) -> WorkItem | None:
    entry = pending.entry
    base = WorkItem(pending.seq, entry.ref, options=options.analysis)
    if entry.local_path is not None:
        return replace(base, path=str(entry.local_path))
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


def _record(
    result: WorkResult, pending: _Pending, matcher: KnownMatcher | None, writer: _BatchWriter
) -> int:
    entry = pending.entry
    analysis = result.analysis
    if analysis is None:
        kind, message = result.failure or (ProblemKind.UNREADABLE, "cannot read")
        writer.add_problem(Problem(entry.ref, kind, message))
        return 0
    signals = [
        Signal("md5", analysis.md5),
        Signal("sha1", analysis.sha1),
        Signal("sha256", analysis.sha256),
    ]
    image, video = analysis.image, analysis.video
    if image is not None:
        signals.append(Signal("pdq", image.pdq.value, image.pdq.quality))
        if image.orb is not None:
            signals.append(Signal(orb.NAME, image.orb))
    if video is not None:
        signals.append(Signal(vpdq.NAME, vpdq.dumps(video.frames)))
    width = image.width if image else video.width if video else None
    height = image.height if image else video.height if video else None
    media = Media(
        sha256=analysis.sha256,
        md5=analysis.md5,
        sha1=analysis.sha1,
        size=analysis.size,
        media_type=analysis.mime,
        kind=analysis.kind,
        width=width,
        height=height,
        signals=tuple(signals),
    )
    matches: tuple[EntryMatch, ...] = ()
    if matcher is not None:
        from interlink.triage.known import Query

        query = Query(
            {"md5": analysis.md5, "sha1": analysis.sha1, "sha256": analysis.sha256},
            image.pdq if image else None,
            video.frames if video else (),
            image.orb_query if image else None,
        )
        matches = tuple(matcher.match(query))
    thumbnail = image.thumbnail if image else (video.contact_sheet or None) if video else None
    scanned = ScannedFile(
        media=media,
        sighting=Sighting(analysis.sha256, entry.ref, analysis.size, entry.modified),
        pdq_variants=image.pdq.dihedral if image else (),
        thumbnail=thumbnail,
        matches=matches,
        problems=analysis.problems,
        clues=analysis.clues,
        video=video_info(video) if video else None,
    )
    writer.add_file(pending.seq, scanned)
    return 1
