"""Member names from archives, made safe to record.

Archive member names are hostile input: ``../`` parts, absolute paths, drive letters,
backslash separators and bytes that are not UTF-8. We never extract by name, so the content is
still read and hashed; the name is recorded in a sanitised form and the trouble reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef, safe_name

_DRIVE = re.compile(r"^[A-Za-z]:")
_UNNAMED = "_unnamed"


@dataclass(frozen=True, slots=True)
class MemberName:
    """A sanitised relative POSIX path, and what was wrong with the raw name.

    ``traversal`` is set when the raw name was absolute, had a drive letter or a ``..`` part;
    ``utf8`` is false when it had bytes that are not UTF-8 (kept as ``\\xNN`` escapes).
    """

    path: str
    traversal: bool
    utf8: bool


def member_name(raw: bytes | str) -> MemberName:
    """Sanitise an archive member name; backslashes count as separators.

    The path keeps every ordinary part and drops empty parts, ``.``, ``..``, a leading drive
    letter and leading separators; an empty result becomes ``_unnamed``.
    """
    parts: list[bytes | str]
    if isinstance(raw, bytes):
        parts = [*raw.replace(b"\\", b"/").split(b"/")]
    else:
        parts = [*raw.replace("\\", "/").split("/")]
    traversal = len(parts) > 1 and not parts[0]
    utf8 = True
    clean: list[str] = []
    for index, part in enumerate(parts):
        text, ok = safe_name(part)
        utf8 = utf8 and ok
        if index == 0 and _DRIVE.match(text):
            traversal = True
            text = text[2:]
        if text == "..":
            traversal = True
            continue
        if text in ("", "."):
            continue
        clean.append(text)
    return MemberName("/".join(clean) or _UNNAMED, traversal, utf8)


class UniquePaths:
    """Hands out each path once within one container: repeats get ``#2``, ``#3``, ... appended.

    Archives may hold several members under one name (tar appends, zip spoofing) and
    sanitising can make two names equal; every copy keeps its own provenance.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def claim(self, path: str) -> str:
        """``path``, or the first free ``path#N`` if it was handed out before."""
        candidate, number = path, 1
        while candidate in self._seen:
            number += 1
            candidate = f"{path}#{number}"
        self._seen.add(candidate)
        return candidate


def name_problems(ref: SourceRef, raw: bytes | str, name: MemberName) -> Iterator[Problem]:
    """The ``path_traversal`` and ``bad_name`` problems of member ``ref`` named ``raw``."""
    if name.traversal:
        yield Problem(
            ref,
            ProblemKind.PATH_TRAVERSAL,
            f"member name {raw!r} points outside the archive; "
            "read and recorded under a sanitised path",
        )
    if not name.utf8:
        yield Problem(ref, ProblemKind.BAD_NAME, "member name is not valid UTF-8")
