"""``interlink node identity`` and ``interlink peers add|list|show|remove``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interlink.cli.exit_codes import ExitCode
from tests.cli.test_app import run

POLICY = """format = "interlink-federation-policy/1"
[[lists]]
name = "known"
disclosure = "category"
[overlap]
mode = "size"
per_day = 3
lists = ["known"]
"""


def test_identity_and_peering_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERLINK_ACTOR", "tester")
    home = ["--home", str(tmp_path / "home"), "--db", f"sqlite:///{tmp_path / 'p.db'}"]
    code, out, _ = run([*home, "node", "identity", "--json"], capsys)
    first = json.loads(out)
    assert code == ExitCode.OK and len(first["fingerprint"]) == 64
    code, out, _ = run([*home, "node", "identity", "--json"], capsys)
    assert json.loads(out)["fingerprint"] == first["fingerprint"]

    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY)
    fingerprint = "AB:" * 31 + "AB"
    code, out, _ = run(
        [
            *home,
            "peers",
            "add",
            "https://nl.example:8443",
            "--fingerprint",
            fingerprint,
            "--policy",
            str(policy),
            "--json",
        ],
        capsys,
    )
    added = json.loads(out)
    assert code == ExitCode.OK
    assert (added["name"], added["fingerprint"]) == ("nl.example:8443", "ab" * 32)
    assert added["policy"]["lists"] == [{"name": "known", "disclosure": "category"}]

    code, out, _ = run([*home, "peers", "list", "--json"], capsys)
    assert [p["name"] for p in json.loads(out)] == ["nl.example:8443"]
    code, out, _ = run([*home, "peers", "show", "nl.example:8443"], capsys)
    assert code == ExitCode.OK and "known (category)" in out
    code, out, err = run(
        [
            *home,
            "peers",
            "add",
            "https://other.example",
            "--fingerprint",
            fingerprint,
            "--policy",
            str(policy),
        ],
        capsys,
    )
    assert code == ExitCode.CONFLICT and err.startswith("error:")
    code, out, _ = run([*home, "peers", "remove", "nl.example:8443", "--json"], capsys)
    assert code == ExitCode.OK and json.loads(out)["removed"] == "nl.example:8443"
    code, _, err = run([*home, "peers", "show", "nl.example:8443"], capsys)
    assert code == ExitCode.NOT_FOUND

    code, out, _ = run([*home, "audit", "log", "--json"], capsys)
    actions = [r["action"] for r in json.loads(out)]
    assert "peer.add" in actions and "peer.remove" in actions


def test_policy_and_fingerprint_mistakes_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--home", str(tmp_path / "home"), "--db", f"sqlite:///{tmp_path / 'p.db'}"]
    bad = tmp_path / "bad.toml"
    bad.write_text('format = "interlink-federation-policy/1"\n[[lists]]\nname = "x"\nshare = 1\n')
    code, _, err = run(
        [
            *home,
            "peers",
            "add",
            "https://x.example",
            "--fingerprint",
            "ab" * 32,
            "--policy",
            str(bad),
        ],
        capsys,
    )
    assert code == ExitCode.INVALID_INPUT and "lists[1].share" in err and len(err.splitlines()) == 1
    bad.write_text(POLICY)
    code, _, err = run(
        [*home, "peers", "add", "https://x.example", "--fingerprint", "xyz", "--policy", str(bad)],
        capsys,
    )
    assert code == ExitCode.INVALID_INPUT and "fingerprint" in err
