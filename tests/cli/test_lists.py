from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from interlink.cli.exit_codes import ExitCode
from interlink.demo.images import encode, scene
from tests.cli.test_app import run


def md5(n: int) -> str:
    return hashlib.md5(str(n).encode(), usedforsecurity=False).hexdigest()


def test_list_commands_show_compare_export_and_toggle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERLINK_TRUSTED_VOTES", "2")
    db = ["--db", f"sqlite:///{tmp_path / 'l.db'}"]
    (tmp_path / "a.csv").write_text(f"md5,category\n{md5(1)},uk:A\n{md5(2)},uk:B\n")
    (tmp_path / "b.csv").write_text(f"md5,category\n{md5(1)},uk:A\n{md5(3)},uk:C\n{md5(2)},uk:C\n")
    for name in ("a", "b"):
        code, out, _ = run(
            [*db, "lists", "import", str(tmp_path / f"{name}.csv"), "--json"], capsys
        )
        assert code == ExitCode.OK and json.loads(out)["added"] >= 2

    code, out, _ = run([*db, "lists", "show", "a", "--json"], capsys)
    shown = json.loads(out)
    assert shown["entries"] == 2 and shown["trusted"] == 1 and shown["by_category"]["uk:A"] == 1

    code, out, _ = run([*db, "lists", "diff", "a", "b", "--json"], capsys)
    diff = json.loads(out)
    assert (diff["only_a"], diff["only_b"], diff["same"], diff["different"]) == (0, 1, 1, 1)

    code, out, _ = run([*db, "lists", "conflicts", "--json"], capsys)
    [conflict] = json.loads(out)
    assert conflict["value"] == md5(2) and len(conflict["votes"]) == 2

    out_file = tmp_path / "a.icse.csv"
    code, out, _ = run(
        [*db, "lists", "export", "a", "--format", "icse", "-o", str(out_file), "--json"], capsys
    )
    assert code == ExitCode.OK and json.loads(out)["written"] == 2 and out_file.exists()

    known = tmp_path / "known"
    known.mkdir()
    (known / "k.png").write_bytes(encode(scene(4), "PNG"))
    code, out, _ = run(
        [*db, "lists", "add", "files", str(known), "--category", "industry:A1", "--json"], capsys
    )
    assert code == ExitCode.OK and json.loads(out)["added"] == 1

    code, _, _ = run([*db, "lists", "disable", "b"], capsys)
    code, out, _ = run([*db, "lists", "show", "--json"], capsys)
    enabled = {item["name"]: item["enabled"] for item in json.loads(out)}
    assert enabled == {"a": True, "b": False, "files": True}
    code, _, err = run(
        [*db, "lists", "export", "a", "--format", "ncmec", "-o", str(tmp_path / "x.xml")], capsys
    )
    assert code == ExitCode.INVALID_INPUT and "can be read but not written" in err

    code, out, _ = run([*db, "audit", "log", "--json", "--limit", "100"], capsys)
    actions = {r["action"] for r in json.loads(out)}
    assert {"list.show", "list.diff", "list.conflicts", "list.export", "list.disable"} <= actions


def test_import_reports_what_it_could_not_read_and_fails_when_it_read_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12: bare category codes cost every entry, and the command still exited 0."""
    db = ["--db", f"sqlite:///{tmp_path / 'l.db'}"]
    bare = tmp_path / "bare.csv"
    bare.write_text("md5,category\n" + "".join(f"{md5(n)},1\n" for n in range(25)))
    code, out, err = run([*db, "lists", "import", str(bare)], capsys)
    out, err = " ".join(out.split()), " ".join(err.split())  # as Rich wraps it
    assert code == ExitCode.OK
    assert "25 added" in out and "25 fields could not be read (kept as text)" in out
    assert "kept line 2: category: '1' is a bare code" in err
    assert "... and 5 more fields that could not be read" in err

    code, out, _ = run([*db, "lists", "import", str(bare), "--json"], capsys)
    result = json.loads(out)
    assert (result["entries"], result["errors"], result["warnings"]) == (25, 0, 25)
    assert result["warning_details"][0] == {
        "position": "line 2",
        "field": "category",
        "reason": result["warning_details"][0]["reason"],
    }
    code, out, _ = run(
        [*db, "lists", "import", str(bare), "--category-scheme", "projectvic-us", "--json"],
        capsys,
    )
    result = json.loads(out)
    assert (result["changed"], result["warnings"]) == (25, 0)
    code, out, _ = run([*db, "lists", "show", "bare", "--json"], capsys)
    assert json.loads(out)["by_category"] == {"projectvic-us:1": 25}

    code, _, err = run([*db, "lists", "import", str(bare), "--category-scheme", "nope"], capsys)
    assert code == ExitCode.INVALID_INPUT and err.startswith("error: invalid category scheme")

    broken = tmp_path / "broken.csv"
    broken.write_text("md5,category\nnot-a-hash,uk:A\nzz,uk:B\n")
    for extra in ([], ["--json"]):
        code, out, err = run(
            [*db, "lists", "import", str(broken), "--name", "bare", *extra], capsys
        )
        assert code == ExitCode.INVALID_INPUT and out == ""
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
        assert "nothing could be read, so nothing was changed (2 problems; the first: line 2" in err
    code, out, _ = run([*db, "lists", "show", "bare", "--json"], capsys)
    assert json.loads(out)["entries"] == 25


def test_add_takes_a_bare_category_with_its_scheme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERLINK_WORKERS", "0")
    db = ["--db", f"sqlite:///{tmp_path / 'l.db'}"]
    (tmp_path / "k.png").write_bytes(encode(scene(3), "PNG"))
    known = ["lists", "add", "K", str(tmp_path / "k.png"), "--category", "2"]
    code, _, err = run([*db, *known, "--json"], capsys)
    assert code == ExitCode.INVALID_INPUT and "expected scheme:code" in err
    code, _, _ = run([*db, *known, "--category-scheme", "projectvic-us", "--json"], capsys)
    assert code == ExitCode.OK
    code, out, _ = run([*db, "lists", "show", "K", "--json"], capsys)
    assert json.loads(out)["by_category"] == {"projectvic-us:2": 1}


def test_list_versions_and_what_a_version_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'v.db'}"]
    for label, body in (
        ("v1", f"md5,category\n{md5(1)},uk:A\n{md5(2)},uk:B\n"),
        ("v2", f"md5,category\n{md5(1)},uk:C\n{md5(3)},uk:B\n"),
    ):
        (tmp_path / "L.csv").write_text(body)
        code, _, _ = run(
            [*db, "lists", "import", str(tmp_path / "L.csv"), "--version", label], capsys
        )
        assert code == ExitCode.OK
    code, out, _ = run([*db, "lists", "versions", "L", "--json"], capsys)
    versions = json.loads(out)
    assert [(v["version"], v["added"], v["removed"]) for v in versions] == [
        ("v1", None, None),
        ("v2", 1, 1),
    ]
    code, out, _ = run([*db, "lists", "changes", "L", "--json"], capsys)
    changes = json.loads(out)
    assert (changes["added"], changes["removed"], changes["changed"]) == (1, 1, 1)
    code, out, _ = run([*db, "lists", "changes", "L"], capsys)
    assert code == ExitCode.OK and "uk:A → uk:C" in out
    code, _, err = run([*db, "lists", "changes", "L", "--from", "99"], capsys)
    assert code != ExitCode.OK and "Traceback" not in err
