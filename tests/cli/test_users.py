"""``interlink users`` and ``interlink tokens`` on a node's own shell."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.auth import passwords
from interlink.bootstrap import open_store
from interlink.cli.exit_codes import ExitCode
from interlink.services import token_auth
from interlink.settings import Settings
from tests.cli.test_app import run


@pytest.fixture(autouse=True)
def cheap_passwords() -> Iterator[None]:
    before = passwords.use_parameters(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords.restore(before)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("INTERLINK_ACTOR", "operator")
    monkeypatch.setenv("INTERLINK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERLINK_AUDIT_KEY", raising=False)
    return f"sqlite:///{tmp_path / 'node.db'}"


def _open(db: str) -> SqlStore:
    """The store as the CLI opens it: its secrets sealed with the home's audit key."""
    return open_store(Settings.load(database_url=db))


def test_users_and_tokens_from_the_shell(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code, out, _ = run(
        [
            "--db",
            db,
            "users",
            "add",
            "eve",
            "--agency",
            "alpha",
            "--role",
            "examiner",
            "--password-stdin",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    added = json.loads(out)
    assert added["roles"] == ["examiner"] and added["totp_secret"] and added["agency"] == "alpha"
    code, out, _ = run(["--db", db, "users", "list", "--json"], capsys)
    assert [u["name"] for u in json.loads(out)] == ["eve"]
    code, out, _ = run(
        ["--db", db, "tokens", "create", "eve", "--scope", "cases:read", "--json"], capsys
    )
    assert code == 0
    made = json.loads(out)
    assert made["token"].startswith("ilk_") and made["scopes"] == ["cases:read"]
    code, out, _ = run(["--db", db, "tokens", "list", "--json"], capsys)
    listed = json.loads(out)
    assert [t["id"] for t in listed] == [made["id"]] and "token" not in listed[0]
    store = _open(db)
    try:
        assert token_auth.token_principal(store, made["token"]).name == "eve"
        code, _, _ = run(["--db", db, "tokens", "revoke", made["id"]], capsys)
        assert code == 0
        with pytest.raises(Exception, match="not authenticated"):
            token_auth.token_principal(store, made["token"])
        code, _, _ = run(["--db", db, "users", "disable", "eve"], capsys)
        assert code == 0 and store.accounts.user("eve").disabled
    finally:
        store.close()


def test_mistakes_are_one_line_errors(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(
        ["--db", db, "users", "add", "x", "--agency", "a", "--role", "viewer", "--password-stdin"],
        capsys,
    )
    assert code == ExitCode.INVALID_INPUT and err.startswith("error:") and "12" in err
    code, _, err = run(["--db", db, "users", "add", "x", "--agency", "a", "--role", "boss"], capsys)
    assert code == ExitCode.INVALID_INPUT and "boss" in err
    code, _, err = run(["--db", db, "tokens", "revoke", "nope"], capsys)
    assert code == ExitCode.INVALID_INPUT
    code, _, err = run(["--db", db, "users", "disable", "ghost"], capsys)
    assert code == ExitCode.NOT_FOUND
    code, _, err = run(
        [
            "--db",
            db,
            "users",
            "idp",
            "nowhere",
            "--issuer",
            "https://i.example",
            "--client-id",
            "c",
        ],
        capsys,
    )
    assert code == ExitCode.NOT_FOUND


def test_an_agency_provider_is_set_from_the_shell(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = run(
        ["--db", db, "users", "add", "ann", "--agency", "alpha", "--role", "viewer"], capsys
    )
    assert code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("client-secret\n"))
    code, out, _ = run(
        [
            "--db",
            db,
            "users",
            "idp",
            "alpha",
            "--issuer",
            "https://idp.example",
            "--client-id",
            "node",
            "--client-secret-stdin",
        ],
        capsys,
    )
    assert code == 0 and "https://idp.example" in out
    store = _open(db)
    try:
        provider = store.accounts.provider(store.cases.agency("alpha").id)
        assert provider is not None and provider.client_secret == "client-secret"
        assert "client-secret" not in str([r.after for r in store.audit.records()])
    finally:
        store.close()
