from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import ExifTags

from interlink.cli.exit_codes import ExitCode
from interlink.demo.images import encode, scene
from tests.cli.test_app import run
from tests.media.exif_images import exif_block, picture, with_exif


def _shot(seed: int) -> bytes:
    block = exif_block(
        ifd0={ExifTags.Base.Make: "Canon"}, exif={ExifTags.Base.BodySerialNumber: "0004711"}
    )
    return with_exif(picture(seed=seed), block)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("INTERLINK_WORKERS", "0")
    monkeypatch.setenv("INTERLINK_ACTOR", "tester")
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _exhibit(root: Path, files: dict[str, bytes]) -> str:
    root.mkdir()
    for name, data in files.items():
        (root / name).write_bytes(data)
    return str(root)


def test_two_agencies_link_watch_and_share_an_operation(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    nl = ["--db", db, "--agency", "Politie"]
    de = ["--db", db, "--agency", "BKA"]
    monkeypatch.setenv("INTERLINK_COUNTRY", "nl")
    code, out, _ = run(
        [*nl, "cases", "agency", "--contact", "vid@politie.example", "--json"], capsys
    )
    assert code == ExitCode.OK
    assert json.loads(out) == {"name": "Politie", "country": "NL", "contact": "vid@politie.example"}
    ex_nl = _exhibit(tmp_path / "nl", {"a.jpg": encode(scene(1, (320, 240))), "c.jpg": _shot(3)})
    assert run([*nl, "scan", ex_nl, "--case", "NL-1", "--json"], capsys)[0] == ExitCode.OK
    monkeypatch.setenv("INTERLINK_COUNTRY", "DE")
    ex_de = _exhibit(tmp_path / "de", {"b.jpg": encode(scene(1, (320, 240))), "d.jpg": _shot(4)})
    assert run([*de, "scan", ex_de, "--case", "DE-7", "--json"], capsys)[0] == ExitCode.OK

    code, out, _ = run(
        [*nl, "watch", "add", "camera", "Canon:0004711", "--title", "Camera", "--case", "NL-1",
         "--priority", "high", "--days", "30", "--json"],
        capsys,
    )  # fmt: skip
    assert code == ExitCode.OK
    placed = json.loads(out)
    assert placed["hits"] == 1 and placed["triggers"] == [{"kind": "camera", "value": "canon:4711"}]

    code, out, _ = run([*de, "watch", "hits", "--json"], capsys)
    [hit] = json.loads(out)
    assert hit["side"] == "hitter" and hit["agency"]["contact"] == "vid@politie.example"
    assert hit["case"] is None and hit["priority"] == "high"
    code, out, _ = run([*nl, "watch", "hits", "--json"], capsys)
    [seen] = json.loads(out)
    assert seen["side"] == "owner" and seen["agency"]["country"] == "DE" and seen["case"] is None

    code, out, _ = run([*de, "links", "DE-7", "--json"], capsys)
    view = json.loads(out)
    assert [link["case"] for link in view["links"]] == ["NL-1"]
    assert view["links"][0]["counts"] == {"camera": 1, "shared_media": 1}
    assert "a.jpg" not in out and str(tmp_path / "nl") not in out
    code, out, _ = run([*de, "links", "DE-7"], capsys)
    assert code == ExitCode.OK and "NL-1" in out and "Politie" in out
    code, out, err = run([*nl, "links", "DE-7", "--json"], capsys)
    assert code == ExitCode.DENIED and out == ""

    code, out, _ = run([*de, "cases", "--json"], capsys)
    assert json.loads(out)["cases"] == [
        {
            "case": "DE-7",
            "status": "open",
            "created_at": json.loads(out)["cases"][0]["created_at"],
            "exhibits": 1,
            "linked_cases": 1,
            "watch_hits": 1,
        }
    ]
    code, out, _ = run(
        [*nl, "cases", "identifier", "NL-1", "email", "Someone@Example.org", "--json"], capsys
    )
    assert json.loads(out) == {"new_evidence": 0, "new_hits": 0}
    code, out, _ = run([*de, "cases", "identifier", "DE-7", "email", "someone@example.org"], capsys)
    assert code == ExitCode.OK and "1 new link evidence" in out

    assert run([*nl, "cases", "victim", "V-1", "--case", "NL-1"], capsys)[0] == ExitCode.OK
    assert run([*nl, "cases", "victim", "V-1", "--status", "identified"], capsys)[0] == 0
    code, _, err = run([*nl, "cases", "victim", "V-1", "--status", "identified"], capsys)
    assert code == ExitCode.CONFLICT and "cannot go from identified to identified" in err
    assert run([*de, "cases", "suspect", "S-1", "--case", "DE-7"], capsys)[0] == ExitCode.OK
    assert run([*de, "cases", "suspect", "S-1", "--status", "charged"], capsys)[0] == 0

    assert run([*nl, "operation", "create", "Op Willow"], capsys)[0] == ExitCode.OK
    assert run([*nl, "operation", "add", "Op Willow", "NL-1"], capsys)[0] == ExitCode.OK
    assert run([*de, "operation", "add", "Op Willow", "DE-7"], capsys)[0] == ExitCode.OK
    code, out, _ = run([*de, "operation", "show", "Op Willow", "--json"], capsys)
    figures = json.loads(out)["figures"]
    assert (figures["cases"], figures["countries"], figures["victims_identified"]) == (2, 2, 1)
    assert figures["suspects_identified"] == 1 and figures["links"] == 1
    code, out, _ = run([*de, "operation", "show", "Op Willow"], capsys)
    assert "Victims identified" in out and "linked: DE-7, NL-1" in out

    code, out, _ = run([*nl, "watch", "withdraw", placed["id"]], capsys)
    assert code == ExitCode.OK
    code, out, _ = run([*nl, "watch", "list", "--json"], capsys)
    assert [w["active"] for w in json.loads(out)] == [False]
    code, _, _ = run([*de, "watch", "withdraw", placed["id"]], capsys)
    assert code == ExitCode.DENIED

    code, out, _ = run([*de, "report", "DE-7", "-o", str(tmp_path / "rep")], capsys)
    page = (tmp_path / "rep" / "report.html").read_text()
    assert "Links to other cases (1)" in page and "vid@politie.example" in page


def test_bad_agency_settings_and_values_give_their_exit_codes(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERLINK_COUNTRY", "Atlantis")
    code, _, err = run(["--db", db, "cases"], capsys)
    assert code == ExitCode.CONFIGURATION and "INTERLINK_COUNTRY" in err
    monkeypatch.delenv("INTERLINK_COUNTRY")
    code, _, err = run(["--db", db, "cases", "agency", "--country", "UK"], capsys)
    assert code == ExitCode.INVALID_INPUT and "ISO 3166" in err
    code, _, err = run(["--db", db, "watch", "add", "sha256", "xyz", "--title", "t"], capsys)
    assert code == ExitCode.INVALID_INPUT
    code, out, _ = run(["--db", db, "cases", "--json"], capsys)
    assert json.loads(out) == {"agency": "local", "cases": []}
