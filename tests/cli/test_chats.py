from __future__ import annotations

import json
from pathlib import Path

import pytest

from interlink.cli.exit_codes import ExitCode
from interlink.domain.reports import PlatformReport, ReportedPerson
from interlink.formats import cybertip
from tests.chats.exports import telegram_export
from tests.cli.test_app import run


def test_import_list_identifiers_show_and_networks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'c.db'}", "--home", str(tmp_path / "home")]
    export = telegram_export(tmp_path / "tg").parent
    argv = [*db, "chats", "import", str(export), "--case", "C1", "--workers", "0", "--json"]
    code, out, _ = run(argv, capsys)
    assert code == ExitCode.OK
    assert json.loads(out) == {
        "conversations": 1,
        "messages": 6,
        "participants": 2,
        "identifiers": 4,
        "attachments": 2,
        "problems": 0,
    }
    code, out, _ = run([*db, "chats", "list", "--case", "C1", "--json"], capsys)
    [conversation] = json.loads(out)
    assert set(conversation) == {"id", "platform", "participants", "messages", "risk"}
    assert set(conversation["risk"]) == {"score", "cues"}
    assert set(conversation["risk"]["cues"][0]) == {"cue", "message_id", "text"}
    code, out, _ = run([*db, "chats", "identifiers", "--case", "C1", "--json"], capsys)
    rows = json.loads(out)
    assert all(set(row) == {"kind", "value", "conversations", "messages"} for row in rows)
    code, out, _ = run(
        [*db, "chats", "show", str(conversation["id"]), "--case", "C1", "--json"], capsys
    )
    assert code == ExitCode.OK and len(json.loads(out)["messages"]) == 6
    report = PlatformReport(
        "R1",
        platform="Telegram",
        reported=(ReportedPerson(esp_service="Telegram", esp_identifier="1001"),),
    )
    (tmp_path / "tip.xml").write_bytes(b"".join(cybertip.write_reports([report])))
    run([*db, "reports", "import", str(tmp_path / "tip.xml")], capsys)
    code, out, _ = run([*db, "networks", "build", "--json"], capsys)
    assert code == ExitCode.OK
    [network] = json.loads(out)["networks"]
    assert network["members"] == 2  # the reported account is the chat's sender: one node


def test_user_mistakes_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'c.db'}", "--home", str(tmp_path / "home")]
    code, _, err = run([*db, "chats", "import", str(tmp_path / "none"), "--case", "C1"], capsys)
    assert code == ExitCode.SOURCE and err.startswith("error:")
    code, _, err = run([*db, "chats", "list", "--case", "missing"], capsys)
    assert code == ExitCode.NOT_FOUND and "Traceback" not in err
    code, _, _ = run(
        [*db, "chats", "import", str(tmp_path), "--case", "C1", "--format", "icq"], capsys
    )
    assert code == ExitCode.USAGE
