"""``interlink scan`` of a disk image: the disk options and the image facts in ``--json``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from interlink.cli.app import main
from tests.sources.disk_builders import DiskImages


def test_scan_of_an_e01_verifies_it_and_honours_no_carve(
    disk_images: DiskImages,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INTERLINK_WORKERS", "0")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["--db", db, "scan", str(disk_images.e01), "--case", "C", "--json"]
    with pytest.raises(SystemExit) as stopped:
        main([*args, "--no-carve", "--verify-image", "--bitlocker-key", "1" * 48])
    assert stopped.value.code in (0, None)
    result = json.loads(capsys.readouterr().out)
    (image,) = result["images"].values()
    assert image["verified"] is True
    assert image["acquisition"]["case_number"] == "CASE-7"
    # The image, 7 files, an NTFS data stream, the zip member and 2 deleted files; nothing
    # carved.
    assert result["summary"]["files"] == 12
    with sqlite3.connect(tmp_path / "cli.db") as connection:
        (options,) = connection.execute("select options from scans").fetchone()
    assert json.loads(options)["disk"]["credentials"] == ["recovery_password"]
    assert "1" * 48 not in options  # a key is never stored
