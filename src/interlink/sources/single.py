"""An exhibit that is one file (a photo, an archive, anything)."""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from interlink.domain.errors import SourceError
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef, safe_name
from interlink.sources.base import Entry
from interlink.sources.readonly import open_evidence


class FileSource:
    """The file at ``path`` as one entry, ``ref.child("file", its name)``.

    A link is resolved first. ``SourceError`` if it does not exist or is not a regular file.
    """

    def __init__(self, path: Path, ref: SourceRef) -> None:
        self._path = os.path.realpath(os.fsencode(path))
        self._ref = ref
        try:
            self._stat = os.stat(self._path)
        except OSError as exc:
            raise SourceError(str(path), f"cannot open the file: {exc.strerror}") from exc
        if not stat.S_ISREG(self._stat.st_mode):
            raise SourceError(str(path), "not a regular file or folder")
        self._name = os.fsencode(path)

    def entries(self) -> Iterator[Entry | Problem]:
        """The file's entry, after a ``bad_name`` problem if its name is not UTF-8."""
        text, ok = safe_name(os.path.basename(self._name))
        ref = self._ref.child("file", text)
        if not ok:
            yield Problem(
                ref, ProblemKind.BAD_NAME, f"name is not valid UTF-8; recorded as {text!r}"
            )
        yield Entry(
            ref=ref,
            size=self._stat.st_size,
            open=functools.partial(open_evidence, self._path),
            modified=datetime.fromtimestamp(self._stat.st_mtime, UTC),
            local_path=Path(os.fsdecode(self._path)),
        )
