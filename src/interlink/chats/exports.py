"""Finding chat exports in what an examiner points at: a file, a zip, or a folder (walked
recursively, zips inside it opened too), each export file's format told by its content.

Every file is opened read-only (``sources.readonly``). An attachment path is resolved
against the export file's folder and then its ancestors up to the root (Meta writes paths from
the root of its download), never outside the root. ``Export.open_attachment`` reopens one.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from interlink.chats.base import ExportFile
from interlink.chats.detect import HEAD, detect
from interlink.domain.chats import ChatFormat, ChatProblem
from interlink.sources.readonly import open_readonly

#: File name endings never read as exports (media that sits beside them).
MEDIA_SUFFIXES = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".heic",
        ".mp4",
        ".mov",
        ".3gp",
        ".opus",
        ".ogg",
        ".mp3",
        ".m4a",
        ".aac",
        ".pdf",
        ".vcf",
        ".webm",
        ".tgs",
        ".wav",
        ".avi",
        ".bmp",
    }
)
_META = (ChatFormat.MESSENGER, ChatFormat.INSTAGRAM)


@dataclass(frozen=True, slots=True)
class Found:
    """An export file and the format it is read as; ``limits`` are notes about how the format
    was chosen (Messenger and Instagram cannot be told apart by content)."""

    format: ChatFormat
    file: ExportFile
    root: Root
    limits: tuple[str, ...] = ()


class Root(AbstractContextManager["Root"]):
    """What was pointed at: a folder, a zip or a single file; opens files by relative path."""

    def __init__(self, path: Path, label: str | None = None) -> None:
        self.path = path
        #: How problems and sources name the root (its file name by default).
        self.label = label or path.name
        #: The folder relative paths are under (a single file's own folder, where an
        #: export keeps its media).
        self.base = path if path.is_dir() else path.parent
        self.zip: zipfile.ZipFile | None = None
        self._stream: BinaryIO | None = None
        self.members: frozenset[str] = frozenset()
        if path.is_file() and _is_zip(path):
            self._stream = open_readonly(path)
            self.zip = zipfile.ZipFile(self._stream)
            self.members = frozenset(i.filename for i in self.zip.infolist() if not i.is_dir())

    def __exit__(self, *exc: object) -> None:
        if self.zip is not None:
            self.zip.close()
        if self._stream is not None:
            self._stream.close()

    def names(self) -> Iterator[str]:
        """Every file under the root, as relative POSIX paths, sorted."""
        if self.zip is not None:
            yield from sorted(self.members)
        elif self.path.is_dir():
            for folder, dirs, files in os.walk(self.path):
                dirs.sort()
                base = Path(folder).relative_to(self.path)
                for name in sorted(files):
                    yield (base / name).as_posix()
        else:
            yield self.path.name

    def exists(self, relative: str) -> bool:
        """Whether ``relative`` names a file under the root."""
        if self.zip is not None:
            return relative in self.members
        target = self.base / relative
        return target.is_file() and not target.is_symlink()

    def opener(self, relative: str) -> Callable[[], BinaryIO]:
        """A function opening ``relative`` afresh, read-only."""
        if self.zip is not None:
            archive = self.zip
            return lambda: archive.open(relative)  # type: ignore[return-value]
        target = self.base / relative
        return lambda: open_readonly(target)

    def locator(self, relative: str) -> Callable[[str], str | None]:
        """Resolves a path written in export file ``relative``: against its folder, then each
        ancestor; answers the path relative to the root, or ``None``."""
        folder = PurePosixPath(relative).parent

        def locate(written: str) -> str | None:
            clean = written.replace("\\", "/").lstrip("/")
            if not clean or ".." in PurePosixPath(clean).parts:
                return None
            for base in (folder, *folder.parents):
                candidate = (base / clean).as_posix().removeprefix("./")
                if self.exists(candidate):
                    return candidate
            return None

        return locate


def _is_zip(path: Path) -> bool:
    with open_readonly(path) as stream:
        return stream.read(4) == b"PK\x03\x04"


def find_exports(
    root: Root, fmt: ChatFormat | None = None, region: str | None = None, *, top: bool = True
) -> Iterator[Found | ChatProblem]:
    """Every export file under ``root`` with its format (``fmt`` forces it for a single
    file, and filters a folder or zip); a problem when nothing is found or a file cannot be
    opened."""
    found = 0
    single = root.zip is None and not root.path.is_dir()
    prefix = "" if single else f"{root.label}/"
    for name in root.names():
        if PurePosixPath(name).suffix.casefold() in MEDIA_SUFFIXES:
            continue
        source = prefix + name
        try:
            with root.opener(name)() as stream:
                head = stream.read(HEAD)
        except OSError as exc:
            yield ChatProblem(source, "file", f"cannot be read: {exc}")
            continue
        if head.startswith(b"PK\x03\x04") and root.zip is None and root.path.is_dir():
            with Root(root.base / name, source) as nested:
                for item in find_exports(nested, fmt, region, top=False):
                    found += isinstance(item, Found)
                    yield item
            continue
        seen = detect(head, source)
        limits: tuple[str, ...] = ()
        if fmt is not None:
            if single and seen is None:
                seen = fmt
            if seen in _META and fmt in _META:
                seen = fmt
            if seen is not fmt:
                continue
        elif seen in _META and not any(
            hint in source.casefold() for hint in ("instagram", "facebook", "messenger")
        ):
            limits = (
                "Messenger or Instagram cannot be told apart by content: read as Messenger "
                "(give --format instagram if it is Instagram)",
            )
        if seen is None:
            if single:
                yield ChatProblem(source, "file", "not a chat export Interlink reads")
            continue
        found += 1
        file = ExportFile(source, root.opener(name), root.locator(name), region)
        yield Found(seen, file, root, limits)
    if not found and not single and top:
        yield ChatProblem(root.label, "export", "no chat export found")
