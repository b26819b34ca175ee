"""``interlink scan`` of a disk image: the disk options and the image facts in ``--json``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from interlink.cli.app import main
from tests.sources.disk_builders import LUKS_PASSWORD, DiskImages


def _scan(
    image: Path, options: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[dict[str, Any], str]:
    """``scan IMAGE --json OPTIONS``' output and the scan's stored options."""
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    with pytest.raises(SystemExit) as stopped:
        main(["--db", db, "scan", str(image), "--case", "C", "--json", *options])
    assert stopped.value.code in (0, None)
    result = json.loads(capsys.readouterr().out)
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        (stored,) = connection.execute("select options from scans").fetchone()
    return result, str(stored)


@pytest.fixture(autouse=True)
def _in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERLINK_WORKERS", "0")


def test_scan_of_an_e01_verifies_it_and_honours_no_carve(
    disk_images: DiskImages, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ["--no-carve", "--verify-image", "--bitlocker-key", "1" * 48]
    result, stored = _scan(disk_images.e01, options, tmp_path, capsys)
    (image,) = result["images"].values()
    assert image["verified"] is True
    assert image["acquisition"]["case_number"] == "CASE-7"
    # The image, 7 files, an NTFS data stream, the zip member and 2 deleted files; nothing
    # carved.
    assert result["summary"]["files"] == 12
    assert json.loads(stored)["disk"]["credentials"] == ["recovery_password"]
    assert "1" * 48 not in stored  # a key is never stored


def test_scan_opens_an_encrypted_volume_with_volume_password(
    luks_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ["--no-carve", "--volume-password", LUKS_PASSWORD]
    result, stored = _scan(luks_disk, options, tmp_path, capsys)
    # The image, the two ext4 files and the deleted one, read through the LUKS layer.
    assert result["summary"]["files"] == 4
    assert result["summary"]["errors"] == 0
    assert json.loads(stored)["disk"]["credentials"] == ["password"]
    assert LUKS_PASSWORD not in stored  # a password is never stored
