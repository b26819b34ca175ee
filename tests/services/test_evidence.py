from __future__ import annotations

import os
from pathlib import Path

import pytest

from interlink.domain.errors import (
    EvidencePathInvalidError,
    EvidencePathNotAllowedError,
    NotFoundError,
)
from interlink.services.evidence import allowed_evidence_path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "evidence" / "ex1").mkdir(parents=True)
    (tmp_path / "evidence" / "ex1" / "a.jpg").write_bytes(b"x")
    (tmp_path / "secret").mkdir()
    return tmp_path / "evidence"


def test_paths_under_a_root_are_allowed_as_their_real_path(root: Path) -> None:
    assert allowed_evidence_path(str(root / "ex1"), [root]) == (root / "ex1").resolve()
    assert allowed_evidence_path(str(root / "ex1" / "a.jpg"), [Path("/nope"), root]).is_file()
    (root / "inside").symlink_to(root / "ex1")
    assert allowed_evidence_path(str(root / "inside"), [root]) == (root / "ex1").resolve()


def test_refusals_are_narrow(root: Path) -> None:
    with pytest.raises(EvidencePathNotAllowedError, match="INTERLINK_EVIDENCE_ROOTS"):
        allowed_evidence_path(str(root / "ex1"), [])
    with pytest.raises(EvidencePathInvalidError, match=r"'\.\.'"):
        allowed_evidence_path(f"{root}/ex1/../ex1", [root])
    with pytest.raises(EvidencePathInvalidError, match="absolute"):
        allowed_evidence_path("ex1", [root])
    with pytest.raises(EvidencePathInvalidError, match="NUL"):
        allowed_evidence_path(f"{root}/a\x00b", [root])
    with pytest.raises(NotFoundError, match="evidence path"):
        allowed_evidence_path(str(root / "missing"), [root])
    with pytest.raises(EvidencePathNotAllowedError, match=r"outside the allowed evidence roots$"):
        allowed_evidence_path(str(root.parent / "secret"), [root])
    (root / "escape").symlink_to(root.parent / "secret")
    with pytest.raises(EvidencePathNotAllowedError, match="through a symbolic link"):
        allowed_evidence_path(str(root / "escape"), [root])
    (root / "dangling").symlink_to(root / "gone")
    with pytest.raises(NotFoundError, match="leading nowhere"):
        allowed_evidence_path(str(root / "dangling"), [root])
    # A root given through a link still confines to where it leads.
    os.symlink(root, root.parent / "root-link")
    with pytest.raises(EvidencePathNotAllowedError):
        allowed_evidence_path(str(root.parent / "secret"), [root.parent / "root-link"])
