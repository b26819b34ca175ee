"""Which server-side evidence paths a job may read: only under the roots the operator allowed."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from interlink.domain.errors import (
    EvidencePathInvalidError,
    EvidencePathNotAllowedError,
    NotFoundError,
)


def allowed_evidence_path(path: str, roots: Sequence[Path]) -> Path:
    """The real path of ``path`` if it lies under one of ``roots`` (``INTERLINK_EVIDENCE_ROOTS``).

    Refused: no roots configured, a relative path or one holding ``..`` or a NUL
    (``EvidencePathInvalidError``), a path that does not exist or a link leading nowhere
    (``NotFoundError``), and a path that is, or leads through a symbolic link to, a place
    outside every root (``EvidencePathNotAllowedError``).
    """
    if not roots:
        raise EvidencePathNotAllowedError(
            path, "no evidence roots are allowed on this node (set INTERLINK_EVIDENCE_ROOTS)"
        )
    if not path or "\x00" in path:
        raise EvidencePathInvalidError(path, "must be a non-empty path without NUL")
    given = Path(path)
    if not given.is_absolute():
        raise EvidencePathInvalidError(path, "must be absolute")
    if ".." in given.parts:
        raise EvidencePathInvalidError(path, "must not contain '..'")
    if not os.path.lexists(given):
        raise NotFoundError("evidence path", path)
    try:
        real = given.resolve(strict=True)
    except (OSError, RuntimeError):
        raise NotFoundError("evidence path", f"{path} (a link leading nowhere)") from None
    for root in roots:
        try:
            allowed = root.resolve(strict=True)
        except (OSError, RuntimeError):
            continue  # a root that does not exist allows nothing
        if real.is_relative_to(allowed):
            return real
    through = " through a symbolic link" if real != given else ""
    raise EvidencePathNotAllowedError(path, f"lies outside the allowed evidence roots{through}")
