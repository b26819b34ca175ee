"""Logins through the API: passwords, TOTP, lockout, rotated sessions, CSRF, logout, and
tokens kept out of logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interlink.adapters.sql.store import SqlStore
from interlink.api.app import create_app
from interlink.api.deps import CSRF_HEADER, SESSION_COOKIE, ServerOptions
from interlink.auth import totp
from interlink.auth.lockout import MAX_FAILURES
from interlink.domain.principal import Role
from interlink.services import accounts, authentication
from interlink.settings import Settings
from tests.api.node import operator

PASSWORD = "correct horse battery"


class Site:
    """A node with an investigator and an examiner (TOTP) of agency ``alpha``."""

    def __init__(self, tmp_path: Path, options: ServerOptions | None = None) -> None:
        url = f"sqlite:///{tmp_path / 'site.db'}"
        self.store = SqlStore.open(url)
        root = operator(self.store)
        accounts.add_user(
            self.store,
            root,
            "ivy",
            agency="alpha",
            roles=frozenset({Role.INVESTIGATOR}),
            password=PASSWORD,
        )
        made = accounts.add_user(
            self.store,
            root,
            "eve",
            agency="alpha",
            roles=frozenset({Role.EXAMINER}),
            password=PASSWORD,
        )
        assert made.totp_secret is not None
        self.secret = made.totp_secret
        settings = Settings.load({}, home=tmp_path, database_url=url)
        self.app = create_app(settings, store=self.store, options=options)

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="https://testserver", raise_server_exceptions=False)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    built = Site(tmp_path)
    yield built
    built.store.close()


def test_a_password_login_sets_a_hardened_cookie_and_returns_the_csrf_token(site: Site) -> None:
    client = site.client()
    response = client.post("/api/v1/auth/login", json={"name": "ivy", "password": PASSWORD})
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert SESSION_COOKIE in cookie
    for flag in ("Secure", "HttpOnly", "SameSite=strict", "Path=/"):
        assert flag.lower() in cookie.lower()
    assert response.json()["csrf_token"]
    me = client.get("/api/v1/auth/me").json()
    assert (me["name"], me["agency"], me["method"]) == ("ivy", "alpha", "password")
    actions = [r.action for r in site.store.audit.records()]
    assert "login" in actions


def test_roles_that_reveal_media_need_the_totp_code(site: Site) -> None:
    client = site.client()
    body = {"name": "eve", "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=body).status_code == 401
    code = totp.code_at(site.secret, datetime.now(UTC))
    wrong = "000000" if code != "000000" else "111111"
    assert client.post("/api/v1/auth/login", json={**body, "code": wrong}).status_code == 401
    response = client.post("/api/v1/auth/login", json={**body, "code": code})
    assert response.status_code == 200
    assert response.json()["second_factor"] is True


def test_failures_lock_the_account_and_say_nothing_about_why(site: Site) -> None:
    client = site.client()
    details = set()
    for _ in range(MAX_FAILURES):
        response = client.post("/api/v1/auth/login", json={"name": "ivy", "password": "nope"})
        assert response.status_code == 401
        details.add(response.json()["detail"])
    unknown = client.post("/api/v1/auth/login", json={"name": "nobody", "password": "x"})
    details.add(unknown.json()["detail"])
    assert len(details) == 1
    locked = client.post("/api/v1/auth/login", json={"name": "ivy", "password": PASSWORD})
    assert locked.status_code == 401
    assert site.store.accounts.user("ivy").locked_until is not None
    reasons = [r.after["reason"] for r in site.store.audit.records() if r.action == "login.failed"]
    assert reasons.count("password") == MAX_FAILURES and "locked" in reasons
    accounts.reset_user(site.store, operator(site.store), "ivy", password=None)
    unlocked = client.post("/api/v1/auth/login", json={"name": "ivy", "password": PASSWORD})
    assert unlocked.status_code == 200


def test_login_rotates_the_session_against_fixation(site: Site) -> None:
    client = site.client()
    first = client.post("/api/v1/auth/login", json={"name": "ivy", "password": PASSWORD})
    old = first.cookies[SESSION_COOKIE]
    second = client.post("/api/v1/auth/login", json={"name": "ivy", "password": PASSWORD})
    new = second.cookies[SESSION_COOKIE]
    assert new != old
    planted = site.client()
    planted.cookies.set(SESSION_COOKIE, old, domain="testserver")
    assert planted.get("/api/v1/auth/me").status_code == 401
    fixed = site.client()
    fixed.cookies.set(SESSION_COOKIE, "attacker-chosen", domain="testserver")
    logged = fixed.post("/api/v1/auth/login", json={"name": "ivy", "password": PASSWORD})
    assert logged.cookies[SESSION_COOKIE] != "attacker-chosen"


def test_changes_through_a_session_need_its_csrf_token(site: Site) -> None:
    client = site.client()
    login = client.post("/api/v1/auth/login", json={"name": "ivy", "password": PASSWORD})
    csrf = login.json()["csrf_token"]
    refused = client.post("/api/v1/cases", json={"name": "C-1"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert (
        client.post(
            "/api/v1/cases", json={"name": "C-1"}, headers={CSRF_HEADER: "forged"}
        ).status_code
        == 403
    )
    assert site.store.cases.all() == []
    made = client.post("/api/v1/cases", json={"name": "C-1"}, headers={CSRF_HEADER: csrf})
    assert made.status_code == 201
    assert client.get("/api/v1/cases").status_code == 200


def test_logout_ends_the_session(site: Site) -> None:
    client = site.client()
    login = client.post("/api/v1/auth/login", json={"name": "ivy", "password": PASSWORD})
    csrf = login.json()["csrf_token"]
    secret = login.cookies[SESSION_COOKIE]
    assert client.post("/api/v1/auth/logout", headers={CSRF_HEADER: csrf}).status_code == 204
    again = site.client()
    again.cookies.set(SESSION_COOKIE, secret, domain="testserver")
    assert again.get("/api/v1/auth/me").status_code == 401


def test_tokens_work_until_revoked_and_never_reach_the_logs(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token, secret = authentication.create_token(site.store, operator(site.store), user="ivy")
    client = site.client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert site.app.state.interlink.last_uses.flush(10)  # written in the background
    assert site.store.accounts.token(token.id).last_used_at is not None  # type: ignore[union-attr]
    uses = [r for r in site.store.audit.records() if r.action == "token.use"]
    assert uses and uses[-1].object_id == str(token.id)
    assert client.delete(f"/api/v1/tokens/{token.id}", headers=headers).status_code == 200
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    text = caplog.text + "".join(str(r.after) + str(r.before) for r in site.store.audit.records())
    assert secret not in text
    assert site.store.accounts.token_by_hash(secret) is None


def test_a_scoped_token_can_do_no_more_than_its_scopes(site: Site) -> None:
    from interlink.domain.principal import Capability

    _, secret = authentication.create_token(
        site.store, operator(site.store), user="ivy", scopes=frozenset({Capability.FIGURES_READ})
    )
    client = site.client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/figures", headers=headers).status_code == 200
    assert client.get("/api/v1/cases", headers=headers).status_code == 403


def test_logins_are_rate_limited_per_client(tmp_path: Path) -> None:
    site = Site(tmp_path, ServerOptions(logins_per_minute=1, login_burst=2))
    client = site.client()
    body = {"name": "nobody", "password": "x"}
    codes = [client.post("/api/v1/auth/login", json=body).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    limited = client.post("/api/v1/auth/login", json=body)
    assert limited.headers["Retry-After"]
    assert limited.json()["status"] == 429
    site.store.close()
