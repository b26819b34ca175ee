"""Known-material lists: import a version of a list in any interchange format, add files of
known material, export, and re-match the store when a list changes.

An import applies a version idempotently. Entries are identified by the list's own id for them
(else their strongest hash): new ones are added, changed ones updated in place, and, when the
file is a full version, the ones it no longer carries are deleted; a delta (a file with
tombstones, like NCMEC's) deletes only what it withdraws. Importing the same file twice changes
nothing. A truncated file never deletes: what was read is applied, the rest is kept. A file of
which no record can be read changes nothing and is an error (``NothingReadError``). An entry is
never lost to an optional field: the readers keep it and say what they could not read of it
(``RecordWarning``), which the result carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Literal

from sqlalchemy import Connection

from interlink.adapters.files import atomic_output, open_input
from interlink.adapters.sql.store import SqlStore
from interlink.domain.categories import Category, known_scheme
from interlink.domain.errors import FormatError, NotFoundError, NothingReadError
from interlink.domain.lists import HashList, ListEntry, writable_list_name
from interlink.domain.media import MediaKind
from interlink.domain.problems import Problem
from interlink.domain.scan import EntryMatch
from interlink.domain.signals import Signal
from interlink.formats import registry
from interlink.formats.base import ListRecord, RecordError, RecordWarning, Tombstone, WriteReport
from interlink.formats.detect import HEAD_BYTES, detect
from interlink.media.analyse import AnalysisOptions, analyse_stream
from interlink.services.cases import after_list_import
from interlink.services.progress import NoProgress, Progress
from interlink.services.worker import read_failure
from interlink.signals import orb, pdq, vpdq
from interlink.sources.base import Entry
from interlink.sources.exhibit import open_exhibit
from interlink.triage.known import KnownMatcher, Query

#: Errors, and warnings, kept in an import result (the counts are always exact).
MAX_ERRORS_KEPT = 1000
#: Entries written to the store per batch.
BATCH = 2000

Mode = Literal["auto", "full", "delta"]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did to the list, and every bad record (up to a limit)."""

    list_name: str
    format: str
    mode: str
    added: int
    changed: int
    unchanged: int
    deleted: int
    error_count: int
    errors: tuple[RecordError, ...] = field(default=())
    info: tuple[tuple[str, str], ...] = ()
    rematched: int = 0
    truncated: bool = False
    warning_count: int = 0
    warnings: tuple[RecordWarning, ...] = ()

    @property
    def entries(self) -> int:
        """Entries the file carried (added, changed or unchanged)."""
        return self.added + self.changed + self.unchanged


def detect_format(path: Path) -> str:
    """The interchange format of a list file, from its first bytes."""
    with open_input(path) as handle:
        found = detect(handle.read(HEAD_BYTES))
    if found is None:
        raise FormatError(f"cannot tell the format of {path.name}; give --format", str(path))
    return found


class _Importer:
    """Feeds one file's records into a list version, in batches, inside one transaction."""

    def __init__(self, store: SqlStore, connection: Connection, list_id: int, agency: str) -> None:
        self.store = store
        self.connection = connection
        self.list_id = list_id
        self.agency = agency
        self.generation = store.lists.begin_import(connection, list_id)
        self.added = self.changed = self.unchanged = 0
        self.withdrawn: list[str] = []
        self.errors: list[RecordError] = []
        self.error_count = 0
        self.warnings: list[RecordWarning] = []
        self.warning_count = 0
        self.info: list[tuple[str, str]] = []
        self.truncated = False
        self._batch: list[ListEntry] = []

    def feed(self, records: Iterable[ListRecord]) -> None:
        for record in records:
            if isinstance(record, ListEntry):
                self._batch.append(record)
                if len(self._batch) >= BATCH:
                    self._flush()
            elif isinstance(record, Tombstone):
                self.withdrawn.append(f"id:{record.external_id}")
            elif isinstance(record, RecordWarning):
                self.warning_count += 1
                if len(self.warnings) < MAX_ERRORS_KEPT:
                    self.warnings.append(record)
            elif isinstance(record, RecordError):
                self.error_count += 1
                self.truncated = self.truncated or record.fatal
                if len(self.errors) < MAX_ERRORS_KEPT:
                    self.errors.append(record)
            else:
                self.info.extend(record.items)
        self._flush()

    def check_something_read(self, location: str) -> None:
        """``NothingReadError`` when records failed and none was kept (no entry, no deletion):
        the caller's transaction then rolls back, so a bad file never empties a list."""
        kept = self.added + self.changed + self.unchanged + len(self.withdrawn)
        if not kept and self.error_count:
            raise NothingReadError(location, self.error_count, self.errors[0].display())

    def _flush(self) -> None:
        if self._batch:
            counts = self.store.lists.sync(
                self.connection,
                self.list_id,
                self.generation,
                self._batch,
                agency=self.agency,
            )
            self.added += counts.added
            self.changed += counts.changed
            self.unchanged += counts.unchanged
            self._batch = []


def import_list(
    store: SqlStore,
    path: Path,
    *,
    name: str | None = None,
    fmt: str = "auto",
    version: str = "",
    mode: Mode = "auto",
    pdq_threshold: int = pdq.THRESHOLD,
    category_scheme: str | None = None,
    actor: str = "local",
) -> ImportResult:
    """Apply the list file at ``path`` as a version of the list ``name`` (default: the file's
    stem), creating the list if it is new, then match the whole store against it.

    ``mode`` ``full`` deletes entries the file does not carry; ``delta`` deletes only what its
    tombstones withdraw; ``auto`` is ``delta`` for a file with tombstones, else ``full``.
    ``category_scheme`` is the scheme a bare category code of the file is a code of, when the
    file does not say. ``NothingReadError`` when no record of the file can be read (nothing is
    changed then).
    """
    scheme = None if category_scheme is None else known_scheme(category_scheme)
    fmt = detect_format(path) if fmt == "auto" else fmt
    reader = registry.get(fmt).read
    list_name = writable_list_name(name or path.stem)
    with store.transaction() as tx, open_input(path) as stream:
        list_id = store.lists.find(tx, list_name)
        if list_id is None:
            record = HashList(list_name, str(path), version, datetime.now(UTC))
            list_id = store.lists.create(tx, record, fmt=fmt, pdq_threshold=pdq_threshold)
        importer = _Importer(store, tx, list_id, list_name)
        importer.feed(reader(stream, category_scheme=scheme))
        importer.check_something_read(str(path))
        deleted = store.lists.withdraw(tx, list_id, importer.withdrawn)
        chosen = mode if mode != "auto" else ("delta" if importer.withdrawn else "full")
        if chosen == "full" and not importer.truncated:
            deleted += store.lists.drop_unseen(tx, list_id, importer.generation)
        label = version or dict(importer.info).get("version", "")
        store.lists.touch(tx, list_id, source=str(path), version=label)
        store.audit.append(
            tx,
            actor=actor,
            action="list.import",
            object_type="list",
            object_id=list_name,
            after={
                "source": str(path),
                "format": fmt,
                "mode": chosen,
                "added": importer.added,
                "changed": importer.changed,
                "unchanged": importer.unchanged,
                "deleted": deleted,
                "errors": importer.error_count,
                "warnings": importer.warning_count,
                "truncated": importer.truncated,
            },
        )
    after_list_import(store, list_name, actor)
    rematched = rematch_list(store, list_name)
    return ImportResult(
        list_name=list_name,
        format=fmt,
        mode=chosen,
        added=importer.added,
        changed=importer.changed,
        unchanged=importer.unchanged,
        deleted=deleted,
        error_count=importer.error_count,
        errors=tuple(importer.errors),
        info=tuple(importer.info),
        rematched=rematched,
        truncated=importer.truncated,
        warning_count=importer.warning_count,
        warnings=tuple(importer.warnings),
    )


def rematch_list(store: SqlStore, name: str) -> int:
    """Match every media in the store against the list ``name``; record and return the new
    matches (so material scanned before the list arrived is known from now on)."""
    stored = store.lists.get(name)
    if not stored.list.enabled:
        return 0
    kinds = ("md5", "sha1", "sha256", "photodna", pdq.NAME, vpdq.NAME)
    media = store.media.all_signals(kinds)
    first = next(media, None)
    if first is None:  # nothing stored to match: the list's index is not built (seconds)
        return 0
    matcher = KnownMatcher.of(store.lists.signals([stored.id]), {stored.id: stored.pdq_threshold})
    if not matcher.size:
        return 0  # the media's query ends with its generator, dropped here
    found: list[tuple[str, EntryMatch]] = []
    total = 0
    for sha256, rows in chain([first], media):
        exact = {r.type: r.value for r in rows if r.type not in (pdq.NAME, vpdq.NAME)}
        image = next((r for r in rows if r.type == pdq.NAME), None)
        video = next((r for r in rows if r.type == vpdq.NAME), None)
        query = Query(
            exact,
            pdq.PdqHash(image.value, image.quality or 0, image.variants) if image else None,
            vpdq.loads(video.value) if video else (),
        )
        found.extend((sha256, m) for m in matcher.match(query))
        if len(found) >= BATCH:
            total += _record_matches(store, found)
            found = []
    return total + _record_matches(store, found)


def _record_matches(store: SqlStore, found: Sequence[tuple[str, EntryMatch]]) -> int:
    if found:
        with store.transaction() as tx:
            store.media.add_matches(tx, found)
    return len(found)


@dataclass(frozen=True, slots=True)
class AddResult:
    """What ``add_files`` put into a list, and the files it could not use."""

    list_name: str
    added: int
    changed: int
    unchanged: int
    problems: tuple[Problem, ...]
    rematched: int


def known_entry(
    entry: Entry,
    *,
    category: Category | None,
    series: str | None,
    victim_identified: bool | None,
    problems: list[Problem],
    robust: bool = True,
) -> ListEntry | None:
    """The list entry of one file of known material (``None`` when it cannot be read); with
    ``robust``, an image also gets its ORB signal (``signals.orb``)."""
    options = AnalysisOptions(robust=robust)
    try:
        with entry.open() as stream:
            analysis = analyse_stream(stream, entry.ref, video_source=entry.open, options=options)
    except OSError as exc:
        problems.append(Problem(entry.ref, *read_failure(exc)))
        return None
    problems.extend(analysis.problems)
    signals = [
        Signal("md5", analysis.md5),
        Signal("sha1", analysis.sha1),
        Signal("sha256", analysis.sha256),
    ]
    if analysis.image is not None:
        signals.append(Signal(pdq.NAME, analysis.image.pdq.value, analysis.image.pdq.quality))
        if analysis.image.orb is not None:
            signals.append(Signal(orb.NAME, analysis.image.orb))
    if analysis.video is not None:
        signals.append(Signal(vpdq.NAME, vpdq.dumps(analysis.video.frames)))
    return ListEntry(
        signals=tuple(signals),
        category=category,
        series=series,
        victim_identified=victim_identified,
        media_kind=analysis.kind.value if analysis.kind is not MediaKind.OTHER else None,
    )


def add_files(
    store: SqlStore,
    name: str,
    paths: Sequence[Path],
    *,
    category: Category | None = None,
    series: str | None = None,
    victim_identified: bool | None = None,
    progress: Progress | None = None,
    actor: str = "local",
    robust: bool = True,
) -> AddResult:
    """Hash files and folders of known material (images and videos, archives opened) into
    the list ``name`` (created if new), then match the store against it. The files are read
    only; nothing of them but their hashes is kept (with ``robust``, images' ORB signals
    too)."""
    writable_list_name(name)
    progress = progress or NoProgress()
    problems: list[Problem] = []

    def entries() -> Iterator[ListEntry]:
        for path in paths:
            for item in open_exhibit(path, path.name):
                if isinstance(item, Problem):
                    problems.append(item)
                    continue
                progress.advance()
                made = known_entry(
                    item,
                    category=category,
                    series=series,
                    victim_identified=victim_identified,
                    problems=problems,
                    robust=robust,
                )
                if made is not None and made.media_kind in (MediaKind.IMAGE, MediaKind.VIDEO):
                    yield made

    with store.transaction() as tx:
        list_id = store.lists.find(tx, name)
        if list_id is None:
            record = HashList(name, "files", "", datetime.now(UTC))
            list_id = store.lists.create(tx, record, fmt="files", pdq_threshold=pdq.THRESHOLD)
        importer = _Importer(store, tx, list_id, name)
        importer.feed(entries())
        store.audit.append(
            tx,
            actor=actor,
            action="list.add_files",
            object_type="list",
            object_id=name,
            after={
                "paths": [str(p) for p in paths],
                "added": importer.added,
                "changed": importer.changed,
                "unchanged": importer.unchanged,
                "problems": len(problems),
            },
        )
    after_list_import(store, name, actor)
    rematched = rematch_list(store, name)
    return AddResult(
        name, importer.added, importer.changed, importer.unchanged, tuple(problems), rematched
    )


def export_list(
    store: SqlStore, name: str, fmt: str, out: Path, *, actor: str = "local"
) -> WriteReport:
    """Write the list ``name`` to ``out`` in format ``fmt`` (atomically); audited."""
    writer = registry.get(fmt).write
    if writer is None:
        raise FormatError(f"format {fmt!r} can be read but not written")
    stored = store.lists.get(name)
    with atomic_output(out) as stream:
        report = writer((entry for _, entry in store.lists.entries(stored.id)), stream)
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=actor,
            action="list.export",
            object_type="list",
            object_id=name,
            after={"format": fmt, "file": str(out), "written": report.written},
        )
    return report


def set_enabled(store: SqlStore, name: str, enabled: bool, *, actor: str = "local") -> None:
    """Enable or disable matching against a list; audited."""
    with store.transaction() as tx:
        list_id = store.lists.find(tx, name)
        if list_id is None:
            raise NotFoundError("list", name)
        store.lists.set_enabled(tx, list_id, enabled)
        store.audit.append(
            tx,
            actor=actor,
            action="list.enable" if enabled else "list.disable",
            object_type="list",
            object_id=name,
        )


def audit_read(store: SqlStore, what: str, names: Sequence[str], *, actor: str) -> None:
    """Record that ``actor`` read list data (``what``: show, diff, conflicts) of ``names``."""
    store.audit.record(
        actor=actor,
        action=f"list.{what}",
        object_type="list",
        object_id=",".join(names) or "*",
    )
