from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interlink.cli.app import main
from interlink.cli.exit_codes import ExitCode
from interlink.demo.images import encode, scene


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    out, err = capsys.readouterr()
    code = stopped.value.code
    return (code if isinstance(code, int) else 0), out, err


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("INTERLINK_WORKERS", "0")
    monkeypatch.setenv("INTERLINK_ACTOR", "tester")
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_import_scan_report_and_audit_in_json(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    known = encode(scene(5), "JPEG")
    (exhibit / "known.jpg").write_bytes(known)
    (exhibit / "new.png").write_bytes(encode(scene(6), "PNG"))
    import hashlib

    listing = tmp_path / "list.csv"
    listing.write_text(f"sha256,series\n{hashlib.sha256(known).hexdigest()},S\nbad,S\n")

    code, out, _ = run(
        ["--db", db, "lists", "import", str(listing), "--name", "L", "--json"], capsys
    )
    assert code == ExitCode.OK
    imported = json.loads(out)
    assert (imported["entries"], imported["errors"]) == (1, 1)
    assert imported["error_details"][0]["position"] == "line 3"

    code, out, _ = run(["--db", db, "scan", str(exhibit), "--case", "C", "--json"], capsys)
    assert code == ExitCode.OK
    scanned = json.loads(out)
    assert scanned["summary"]["known"] == 1 and scanned["summary"]["new_images"] == 1

    code, out, _ = run(["--db", db, "report", "C", "--json"], capsys)
    report = json.loads(out)
    statuses = {f["path"].rsplit("/", 1)[-1].split(":")[-1]: f["status"] for f in report["files"]}
    assert statuses == {"known.jpg": "known", "new.png": "new"}

    code, out, _ = run(["--db", db, "report", "C", "-o", str(tmp_path / "rep")], capsys)
    assert code == ExitCode.OK and (tmp_path / "rep" / "report.html").exists()

    code, out, _ = run(["--db", db, "lists", "show", "--json"], capsys)
    assert [item["name"] for item in json.loads(out)] == ["L"]

    code, out, _ = run(["--db", db, "audit", "log", "--json"], capsys)
    actions = [r["action"] for r in json.loads(out)]
    assert actions == [
        "list.import",
        "series.create",
        "agency.create",
        "scan.start",
        "scan.complete",
        "report.read",
        "report.write",
    ]
    assert {r["actor"] for r in json.loads(out)} == {"tester"}

    code, out, _ = run(["--db", db, "audit", "verify", "--json"], capsys)
    assert code == ExitCode.OK and json.loads(out)["ok"] is True


def test_errors_give_a_message_and_their_exit_code(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["--db", db, "report", "missing", "--json"], capsys)
    assert code == ExitCode.NOT_FOUND and out == "" and "no case 'missing'" in err
    code, _, err = run(["--db", db, "scan", str(tmp_path / "nope"), "--case", "C"], capsys)
    assert code == ExitCode.SOURCE and "no such file" in err
    code, _, err = run(["--db", "mysql://x", "lists", "show"], capsys)
    assert code == ExitCode.CONFIGURATION
    code, _, _ = run(["--db", db, "scan"], capsys)
    assert code == ExitCode.USAGE


def test_demo_runs_end_to_end(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "demo"
    code, out, _ = run(["--db", db, "demo", "--dir", str(target), "--json"], capsys)
    assert code == ExitCode.OK
    result = json.loads(out)
    assert result["scan"]["summary"]["known"] == 10  # 9 images and the re-encoded video
    assert Path(result["report"]["html"]).exists()
    # A second run recreates the demo folder, but refuses to wipe a folder it did not make.
    code, _, _ = run(["--db", db, "demo", "--dir", str(target), "--json"], capsys)
    assert code == ExitCode.OK
    stranger = tmp_path / "mine"
    stranger.mkdir()
    code, _, err = run(["--db", db, "demo", "--dir", str(stranger)], capsys)
    assert code == ExitCode.CONFLICT and "not a demo folder" in err


def test_a_case_exports_as_vics_and_only_its_agency_may_report_it(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from interlink.formats.vics import VicsCase, VicsMedia, read_vics

    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    (exhibit / "a.jpg").write_bytes(encode(scene(1), "JPEG"))
    (exhibit / "b.jpg").write_bytes(encode(scene(1), "JPEG"))
    code, _, _ = run(["--db", db, "--agency", "NCA", "scan", str(exhibit), "--case", "K"], capsys)
    assert code == ExitCode.OK
    out = tmp_path / "k.json"
    code, _, _ = run(["--db", db, "--agency", "NCA", "report", "K", "--vics", str(out)], capsys)
    assert code == ExitCode.OK
    with out.open("rb") as stream:
        records = list(read_vics(stream))
    [case] = [r for r in records if isinstance(r, VicsCase)]
    [media] = [r for r in records if isinstance(r, VicsMedia)]
    assert case.case_number == "K" and case.contact_organization == "NCA"
    assert len(media.files) == 2 and {a.name for a in media.alternative_hashes} >= {"SHA256", "PDQ"}
    code, out_text, err = run(["--db", db, "--agency", "BKA", "report", "K", "--json"], capsys)
    assert code == ExitCode.DENIED and out_text == "" and "not a case of agency" in err


#: Libraries too heavy for the start of every command: neither ``--help`` nor ``cases`` (which
#: reads the store with ``sqlite3`` once it exists) imports any of them.
HEAVY = ("numba", "sqlalchemy", "numpy", "PIL", "av", "igraph", "alembic")


def _heavy_imports(args: list[str], env: dict[str, str]) -> list[str]:
    program = f"""
import sys
from interlink.cli.app import main
try:
    main({args!r})
except SystemExit as stop:
    assert not stop.code, stop.code
print("heavy:", *(m for m in {HEAVY!r} if m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, env=env
    )
    return done.stdout.splitlines()[-1].split()[1:]


def test_help_and_cases_import_no_heavy_library(tmp_path: Path) -> None:
    env = {**os.environ, "INTERLINK_HOME": str(tmp_path), "INTERLINK_ACTOR": "tester"}
    assert _heavy_imports(["--help"], env) == []
    _heavy_imports(["cases", "--json"], env)  # creates and migrates the store
    assert _heavy_imports(["cases", "--json"], env) == []
