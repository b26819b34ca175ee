"""A folder exhibit: every regular file below it, walked in a fixed order.

Names are read as bytes, so names that are not UTF-8 are still found (recorded with ``\\xNN``
escapes and a ``bad_name`` problem). A link is followed only when it resolves inside the
exhibit and not to a folder already being walked; special files are reported, never opened.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from interlink.domain.errors import SourceError
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef, safe_name
from interlink.sources.base import Entry
from interlink.sources.names import UniquePaths
from interlink.sources.readonly import file_type, open_evidence

#: Lists a folder; a seam for tests that simulate refusals as root.
_scandir = os.scandir

_DirKey = tuple[int, int]
_Walk = Generator[Entry | Problem, None, "_Frame | None"]


@dataclass(frozen=True, slots=True)
class _Item:
    name: bytes
    path: bytes  # where to open it: under the real path of its folder
    rel: str  # recorded relative path
    info: os.stat_result
    utf8: bool


@dataclass(slots=True)
class _Frame:
    items: Iterator[_Item]
    ancestors: frozenset[_DirKey]


class FolderSource:
    """Every regular file under ``root``, as ``ref.child("folder", relative/path)``.

    Files are in sorted byte order of their names, depth first. Each entry has ``local_path``
    set to the file's resolved path (open it with ``open_readonly``). Problems: ``bad_name``
    (the item is still read), ``link_outside``, ``link_loop``, ``unreadable`` (a dangling link,
    a folder that cannot be listed) and ``unsupported`` (FIFOs, sockets, devices).
    """

    def __init__(self, root: Path, ref: SourceRef) -> None:
        self._root = os.path.realpath(os.fsencode(root))
        self._ref = ref
        try:
            root_stat = os.stat(self._root)
        except OSError as exc:
            raise SourceError(str(root), f"cannot open the folder: {exc.strerror}") from exc
        if not stat.S_ISDIR(root_stat.st_mode):
            raise SourceError(str(root), "not a folder")
        self._root_key = (root_stat.st_dev, root_stat.st_ino)
        self._unique = UniquePaths()

    def entries(self) -> Iterator[Entry | Problem]:
        """Every file, then problems, in walk order (see the class docstring)."""
        listing = yield from self._list(self._root, "")
        if listing is None:
            return
        frames = [_Frame(listing, frozenset({self._root_key}))]
        while frames:
            frame = frames[-1]
            item = next(frame.items, None)
            if item is None:
                frames.pop()
                continue
            pushed = yield from self._visit(item, frame.ancestors)
            if pushed is not None:
                frames.append(pushed)

    def _visit(self, item: _Item, ancestors: frozenset[_DirKey]) -> _Walk:
        """Yields the item's entry or problems; returns a frame when it is a folder to walk."""
        ref = self._ref.child("folder", item.rel)
        if not item.utf8:
            yield Problem(
                ref, ProblemKind.BAD_NAME, f"name is not valid UTF-8; recorded as {ref.name!r}"
            )
        path, info = item.path, item.info
        if stat.S_ISLNK(info.st_mode):
            resolved = yield from self._resolve_link(item, ref)
            if resolved is None:
                return None
            path, info = resolved
        mode = info.st_mode
        if stat.S_ISDIR(mode):
            return (yield from self._descend(path, ref, info, ancestors, item.rel))
        if stat.S_ISREG(mode):
            yield Entry(
                ref=ref,
                size=info.st_size,
                open=functools.partial(open_evidence, path),
                modified=datetime.fromtimestamp(info.st_mtime, UTC),
                local_path=Path(os.fsdecode(path)),
            )
            return None
        yield Problem(ref, ProblemKind.UNSUPPORTED, f"{file_type(mode)}; not read")
        return None

    def _resolve_link(
        self, item: _Item, ref: SourceRef
    ) -> Generator[Problem, None, tuple[bytes, os.stat_result] | None]:
        try:
            target = os.fsdecode(os.readlink(item.path))
        except OSError as exc:
            yield Problem(ref, ProblemKind.UNREADABLE, f"cannot read the link: {exc.strerror}")
            return None
        real = os.path.realpath(item.path)
        if not self._inside(real):
            yield Problem(
                ref,
                ProblemKind.LINK_OUTSIDE,
                f"link to {target!r} points outside the exhibit; not followed",
            )
            return None
        try:
            info = os.stat(real)
        except FileNotFoundError:
            yield Problem(ref, ProblemKind.UNREADABLE, f"dangling link to {target!r}")
            return None
        except OSError as exc:
            kind = ProblemKind.LINK_LOOP if exc.errno == errno.ELOOP else ProblemKind.UNREADABLE
            yield Problem(ref, kind, f"cannot follow the link to {target!r}: {exc.strerror}")
            return None
        return real, info

    def _descend(
        self,
        path: bytes,
        ref: SourceRef,
        info: os.stat_result,
        ancestors: frozenset[_DirKey],
        rel: str,
    ) -> _Walk:
        key = (info.st_dev, info.st_ino)
        if key in ancestors:
            yield Problem(
                ref,
                ProblemKind.LINK_LOOP,
                "leads back to a folder that contains it; not walked again",
            )
            return None
        listing = yield from self._list(path, rel)
        if listing is None:
            return None
        return _Frame(listing, ancestors | {key})

    def _list(self, path: bytes, rel: str) -> Generator[Problem, None, Iterator[_Item] | None]:
        """Yields a problem if ``path`` cannot be listed; returns its items, sorted."""
        ref = self._ref.child("folder", rel) if rel else self._ref
        try:
            with _scandir(path) as scan:
                found = sorted((entry.name, entry.stat(follow_symlinks=False)) for entry in scan)
        except OSError as exc:
            yield Problem(ref, ProblemKind.UNREADABLE, f"cannot list the folder: {exc.strerror}")
            return None
        items: list[_Item] = []
        for name, info in found:
            text, ok = safe_name(name)
            child = f"{rel}/{text}" if rel else text
            if not ok or "\\x" in text:
                child = self._unique.claim(child)
            items.append(_Item(name, os.path.join(path, name), child, info, ok))
        return iter(items)

    def _inside(self, real: bytes) -> bool:
        return real == self._root or os.path.commonpath([self._root, real]) == self._root
