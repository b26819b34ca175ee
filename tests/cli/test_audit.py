from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from interlink.audit_verifier import main as verify_export
from interlink.cli.exit_codes import ExitCode
from tests.cli.test_app import run


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("INTERLINK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERLINK_DB", raising=False)
    monkeypatch.delenv("INTERLINK_AUDIT_KEY", raising=False)
    monkeypatch.setenv("INTERLINK_ACTOR", "tester")
    return tmp_path / "home"


def test_keygen_checkpoint_export_and_verify(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["audit", "keygen", "--json"], capsys)
    made = json.loads(out)
    assert code == 0 and made["created"] and made["path"] == str(home / "audit-key.pem")
    code, out, _ = run(["audit", "keygen", "--json"], capsys)
    assert not json.loads(out)["created"] and json.loads(out)["fingerprint"] == made["fingerprint"]
    assert run(["operation", "create", "OP-1"], capsys)[0] == 0
    exported = tmp_path / "out" / "checkpoint.json"
    code, out, _ = run(["audit", "checkpoint", "-o", str(exported), "--json"], capsys)
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert code == 0 and json.loads(out) == document
    assert document["checkpoint"]["count"] >= 2
    assert document["checkpoint"]["key_fingerprint"] == made["fingerprint"]
    code, out, _ = run(["audit", "verify", "--checkpoint", str(exported), "--json"], capsys)
    # The first after the key exists is signed when "operation create" ends, the second here.
    assert code == 0 and json.loads(out)["ok"] and json.loads(out)["checkpoints"] == 2
    log = tmp_path / "log.jsonl"
    code, out, _ = run(["audit", "export", "-o", str(log), "--json"], capsys)
    assert code == 0 and json.loads(out)["records"] == document["checkpoint"]["count"]
    assert verify_export([str(log), str(exported), "--fingerprint", made["fingerprint"]]) == 0
    capsys.readouterr()

    with sqlite3.connect(home / "interlink.db") as db:
        db.execute("update audit_log set actor = 'x' where id = 2")
    code, out, _ = run(["audit", "verify", "--checkpoint", str(exported), "--json"], capsys)
    assert code == ExitCode.DAMAGED and json.loads(out)["first_bad_id"] == 2


def test_a_command_signs_a_checkpoint_when_one_is_due(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(["operation", "create", "OP-1"], capsys)[0] == 0
    assert not (home / "audit-key.pem").exists()  # no key, no automatic checkpoint
    run(["audit", "keygen"], capsys)
    monkeypatch.setenv("INTERLINK_AUDIT_CHECKPOINT_RECORDS", "1")
    assert run(["operation", "create", "OP-2"], capsys)[0] == 0
    with sqlite3.connect(home / "interlink.db") as db:
        assert db.execute("select count(*) from audit_checkpoints").fetchone() == (1,)


def test_an_open_key_is_refused_with_a_one_line_error(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["audit", "keygen"], capsys)
    (home / "audit-key.pem").chmod(0o644)
    code, out, err = run(["audit", "checkpoint"], capsys)
    assert code == ExitCode.CONFIGURATION and out == ""
    assert err.startswith("error: audit key") and "group or others" in err
    assert len(err.strip().splitlines()) == 1
