from __future__ import annotations

import json
from pathlib import Path

import pytest

from interlink.cli.exit_codes import ExitCode
from interlink.formats import cybertip
from tests.cli.test_app import run
from tests.network.planted import planted_reports


def test_reports_to_networks_exports_and_referrals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'net.db'}"
    planted = planted_reports(networks=3, size=4)
    xml = b"".join(cybertip.write_reports(item.report for item in planted.reports))
    bad = xml.replace(b"<ipAddress>198.51.100.", b"<ipAddress>998.51.100.", 1)
    (tmp_path / "tips.xml").write_bytes(bad)
    code, out, _ = run(
        ["--db", db, "reports", "import", str(tmp_path / "tips.xml"), "--json"], capsys
    )
    assert code == ExitCode.OK
    [result] = json.loads(out)
    assert result["imported"] == len(planted.reports) - 1 and len(result["problems"]) == 1

    known = sorted(
        {h.value for item in planted.reports for f in item.report.files for h in f.hashes}
    )[:10]
    (tmp_path / "known.csv").write_text(
        "sha256,category\n" + "".join(f"{value},industry:A1\n" for value in known)
    )
    code, _, _ = run(["--db", db, "lists", "import", str(tmp_path / "known.csv")], capsys)
    assert code == ExitCode.OK
    code, out, _ = run(["--db", db, "networks", "build", "--json"], capsys)
    built = json.loads(out)
    assert len(built["networks"]) == 3
    assert built["removal"] and all(r["account"].startswith("chatly/") for r in built["removal"])

    code, out, _ = run(["--db", db, "networks", "show", "N1", "--json"], capsys)
    shown = json.loads(out)
    assert shown["network"] == "N1" and len(shown["accounts"]) == shown["members"] == 4

    code, out, _ = run(
        ["--db", db, "networks", "export", str(tmp_path / "g"), "--format", "csv", "--json"], capsys
    )
    assert sorted(Path(p).name for p in json.loads(out)) == ["edges.csv", "nodes.csv"]

    code, out, _ = run(["--db", db, "referrals", str(tmp_path / "ref"), "--json"], capsys)
    files = [Path(p).name for p in json.loads(out)]
    assert files and all(name.startswith("referral-") for name in files)

    code, _, err = run(["--db", db, "networks", "show", "N99"], capsys)
    assert code == ExitCode.NOT_FOUND and "N99" in err


def test_reports_import_reads_a_folder_recursively(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12: ``interlink reports import FOLDER`` died with IsADirectoryError."""
    db = f"sqlite:///{tmp_path / 'net.db'}"
    planted = planted_reports(networks=2, size=3)
    (tmp_path / "tips" / "week-1").mkdir(parents=True)
    (tmp_path / "tips" / "week-1" / "tips.xml").write_bytes(
        b"".join(cybertip.write_reports(item.report for item in planted.reports))
    )
    (tmp_path / "tips" / "notes.txt").write_text("not a report\n")
    code, out, err = run(["--db", db, "reports", "import", str(tmp_path / "tips")], capsys)
    out, err = out.replace("\n", ""), err.replace("\n", "")  # Rich wraps long paths
    assert code == ExitCode.OK and "Traceback" not in err
    assert f"week-1/tips.xml: {len(planted.reports)} reports ({len(planted.reports)} new)" in out
    assert "notes.txt: skipped: neither XML nor JSON" in err
    code, out, _ = run(["--db", db, "reports", "import", str(tmp_path / "tips"), "--json"], capsys)
    results = {Path(r["file"]).name: r for r in json.loads(out)}
    assert results["tips.xml"]["new"] == 0 and results["notes.txt"]["problems"]
