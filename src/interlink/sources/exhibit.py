"""Opening an exhibit: pick the source for a path and expand the archives found inside.

Archives are recognised by content, never by name, and expanded recursively up to
``Limits.max_depth``. Each archive is itself an entry (it is a file of the evidence and gets
its hashes), followed by its members. One ``Budget`` covers an archive found in the exhibit
and everything nested in it.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from interlink.domain.errors import EvidenceReadError
from interlink.domain.media import MediaKind
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.media.detect import HEAD_BYTES, sniff
from interlink.sources.base import DiskOptions, Entry, FactsSink, Limits, Source
from interlink.sources.budget import Budget
from interlink.sources.compressed import SUFFIXES, CompressedSource, decompressor
from interlink.sources.disk_probe import probe_image
from interlink.sources.folder import FolderSource
from interlink.sources.readonly import open_readonly
from interlink.sources.single import FileSource
from interlink.sources.spooling import RatioGuard, spool_stream
from interlink.sources.tar_archive import TarSource

DEFAULT_LIMITS = Limits()

_CONTAINERS = {
    "application/zip": "zip",
    "application/x-7z-compressed": "7z",
    "application/gzip": "gzip",
    "application/x-bzip2": "bzip2",
    "application/x-xz": "xz",
    "application/x-tar": "tar",
}
_UNSUPPORTED = {"application/vnd.rar": "RAR"}
_TAR_CHECKSUM = slice(148, 156)


def open_exhibit(
    path: Path,
    exhibit: str,
    limits: Limits = DEFAULT_LIMITS,
    disk: DiskOptions | None = None,
    on_image: FactsSink | None = None,
) -> Generator[Entry | Problem, None, None]:
    """Every file in the exhibit at ``path`` (a folder or one file), archives expanded and
    storage-media images opened (``disk`` options; ``on_image`` receives each image's facts).

    Yields entries and problems in a fixed order; see ``Exhibit``. Raises ``SourceError`` at
    once when ``path`` itself cannot be opened.
    """
    return Exhibit(path, exhibit, limits, disk, on_image).entries()


class Exhibit:
    """An exhibit as a ``Source``: its files, with archives expanded.

    Every entry's content has been read far enough to tell its type before it is yielded (a
    file that cannot be read becomes a problem instead). Zero-byte files are entries and an
    ``empty`` problem. An archive deeper than ``limits.max_depth`` is an entry and a
    ``too_deep`` problem. An archive member's ``open`` is valid until the next item is asked
    for; reading any entry's stream raises ``EvidenceReadError`` when the evidence fails.
    Close the iterator (or read it to the end) to release temporary files at once.
    """

    def __init__(
        self,
        path: Path,
        exhibit: str,
        limits: Limits = DEFAULT_LIMITS,
        disk: DiskOptions | None = None,
        on_image: FactsSink | None = None,
    ) -> None:
        ref = SourceRef(exhibit)
        self._limits = limits
        self._disk = disk or DiskOptions()
        self._on_image = on_image
        self._source: Source = FolderSource(path, ref) if path.is_dir() else FileSource(path, ref)

    def entries(self) -> Generator[Entry | Problem, None, None]:
        """Every entry and problem of the exhibit (see the class docstring)."""
        return self._expand(self._source.entries(), None)

    def _expand(
        self, items: Iterable[Entry | Problem], budget: Budget | None
    ) -> Generator[Entry | Problem, None, None]:
        for item in items:
            if isinstance(item, Problem):
                yield item
                continue
            try:
                head = _head(item)
            except EvidenceReadError as exc:
                yield Problem(item.ref, ProblemKind(exc.kind), exc.reason)
                continue
            yield item
            if item.size == 0:
                yield Problem(item.ref, ProblemKind.EMPTY, "zero-byte file")
                continue
            kind = container_kind(head)
            image = (
                _disk_image(item) if kind is None and sniff(head).kind is MediaKind.OTHER else None
            )
            if image is not None:
                # dfVFS and its back-ends load only when an image is met.
                from interlink.sources.disk_image import DiskImageSource

                yield from self._expand(
                    DiskImageSource(image, item.ref, self._disk, self._on_image).entries(),
                    budget,
                )
                continue
            if kind is None:
                unsupported = _UNSUPPORTED.get(sniff(head).mime)
                if unsupported:
                    message = f"{unsupported} archive; its members are not read"
                    yield Problem(item.ref, ProblemKind.UNSUPPORTED, message)
                continue
            if item.ref.depth > self._limits.max_depth:
                yield Problem(
                    item.ref,
                    ProblemKind.TOO_DEEP,
                    f"{kind} archive nested {item.ref.depth} deep, over the limit of "
                    f"{self._limits.max_depth}; not opened",
                )
                continue
            tree = budget if budget is not None else Budget(self._limits)
            yield from self._expand(self._open(item, kind, tree), tree)

    def _open(self, item: Entry, kind: str, budget: Budget) -> Iterator[Entry | Problem]:
        if kind == "tar":
            source: Source = TarSource(
                item.open, item.ref, budget, in_place=_seekable(item), compression=None
            )
        elif kind in SUFFIXES:
            if _holds_tar(item, kind):
                source = TarSource(item.open, item.ref, budget, in_place=False, compression=kind)
            else:
                source = CompressedSource(item.open, item.ref, budget, kind)
        else:
            yield from self._random_access(item, kind, budget)
            return
        yield from source.entries()

    def _random_access(self, item: Entry, kind: str, budget: Budget) -> Iterator[Entry | Problem]:
        with contextlib.ExitStack() as stack:
            try:
                stream = stack.enter_context(_seekable_stream(item, budget))
            except EvidenceReadError as exc:
                yield Problem(item.ref, ProblemKind(exc.kind), exc.reason)
                return
            if kind == "zip":  # archive readers are imported when met (py7zr is slow to load)
                from interlink.sources.zip_archive import ZipSource

                yield from ZipSource(stream, item.ref, budget).entries()
            else:
                from interlink.sources.sevenzip import SevenZipSource

                yield from SevenZipSource(stream, item.ref, budget).entries()


def container_kind(head: bytes) -> str | None:
    """The container kind (a ``Layer`` kind) of content starting with ``head``, if any."""
    if is_tar(head):
        return "tar"
    return _CONTAINERS.get(sniff(head).mime)


def is_tar(head: bytes) -> bool:
    """Whether ``head`` starts with a tar header: ``ustar`` magic and a valid checksum."""
    if len(head) < 512 or head[257:262] != b"ustar":
        return False
    try:
        recorded = int(head[_TAR_CHECKSUM].split(b"\x00", 1)[0].strip() or b"-1", 8)
    except ValueError:
        return False
    header = head[:148] + b" " * 8 + head[156:512]
    return recorded == sum(header)


def _disk_image(item: Entry) -> Path | None:
    """The path of a plain file whose content is a storage-media image (``disk_probe``)."""
    if item.local_path is None:
        return None
    try:
        with open_readonly(item.local_path) as stream:
            found = probe_image(stream, item.size)
    except OSError:
        return None
    return item.local_path if found is not None else None


def _head(item: Entry) -> bytes:
    """The first ``HEAD_BYTES`` of ``item``, read past the stream's buffer when it has one: a
    buffered stream fills its whole buffer (64 KB, two chunks of an E01 inflated) for these
    few bytes, and the file itself is read by a worker. (Raw reads of files, tar members and
    disk-image streams come back short only at the end.)"""
    with item.open() as stream:
        raw = getattr(stream, "raw", None)
        if isinstance(raw, io.RawIOBase):
            return raw.read(HEAD_BYTES) or b""
        return stream.read(HEAD_BYTES)


def _seekable(item: Entry) -> bool:
    try:
        with item.open() as stream:
            return stream.seekable()
    except EvidenceReadError:
        return False


def _holds_tar(item: Entry, kind: str) -> bool:
    try:
        with item.open() as stream:
            return is_tar(decompressor(kind, stream).read(HEAD_BYTES) or b"")
    except Exception:
        # A stream that cannot be decompressed is read (and reported) as a plain one.
        return False


@contextlib.contextmanager
def _seekable_stream(item: Entry, budget: Budget) -> Iterator[BinaryIO]:
    """A seekable stream of ``item``: its own, or a copy in a spool when it has none."""
    stream = item.open()
    if stream.seekable():
        with stream:
            yield stream
        return
    spool = spool_stream(
        stream,
        item.ref.display(),
        budget,
        RatioGuard(budget, None),
        declared=item.size,
        charge=False,
    )
    try:
        with spool.open() as copy:
            yield copy
    finally:
        spool.close()
