"""OIDC login against a real issuer on 127.0.0.1 whose keys the test makes: a good login,
and a token refused for its signature, issuer, audience, expiry or nonce."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from interlink.adapters.sql.store import SqlStore
from interlink.api.app import create_app
from interlink.api.deps import SESSION_COOKIE
from interlink.domain.principal import Role
from interlink.services import accounts, oidc_login
from interlink.settings import Settings
from tests.api.issuer import Issuer
from tests.api.node import operator


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    with Issuer() as running:
        yield running


@pytest.fixture
def client(tmp_path: Path, issuer: Issuer) -> Iterator[tuple[TestClient, SqlStore]]:
    url = f"sqlite:///{tmp_path / 'oidc.db'}"
    store = SqlStore.open(url)
    root = operator(store)
    accounts.add_user(
        store, root, "olga", agency="alpha", roles=frozenset({Role.EXAMINER}), password=None
    )
    accounts.add_user(
        store, root, "bert", agency="beta", roles=frozenset({Role.VIEWER}), password=None
    )
    oidc_login.configure(
        store, root, "alpha", issuer=issuer.url, client_id="interlink-node", client_secret="s3cret"
    )
    app = create_app(Settings.load({}, home=tmp_path, database_url=url), store=store)
    yield TestClient(app, base_url="https://testserver", raise_server_exceptions=False), store
    store.close()


def _login(client: TestClient, issuer: Issuer, subject: str = "u-1", name: str = "olga") -> Any:
    start = client.get("/api/v1/auth/oidc/alpha/login", follow_redirects=False)
    assert start.status_code == 302, start.text
    location = start.headers["location"]
    query = parse_qs(urlparse(location).query)
    assert location.startswith(f"{issuer.url}/authorize")
    assert query["redirect_uri"] == ["https://testserver/api/v1/auth/oidc/callback"]
    code, state = issuer.authorize(location, subject, name)
    return client.get("/api/v1/auth/oidc/callback", params={"code": code, "state": state})


def test_a_login_through_the_agency_provider(
    client: tuple[TestClient, SqlStore], issuer: Issuer
) -> None:
    http, store = client
    answer = _login(http, issuer)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["name"], body["agency"], body["method"], body["second_factor"]) == (
        "olga",
        "alpha",
        "oidc",
        True,
    )
    assert SESSION_COOKIE in answer.cookies
    assert store.accounts.user("olga").oidc_subject == f"{issuer.url} u-1"
    assert http.get("/api/v1/auth/me").json()["name"] == "olga"
    again = _login(http, issuer, subject="u-1", name="someone-else")
    assert again.status_code == 200 and again.json()["name"] == "olga"


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        ({"sign_with_rogue": True}, "signature"),
        ({"overrides": {"iss": "http://127.0.0.1:1"}}, "iss"),
        ({"overrides": {"aud": "another-client"}}, "aud"),
        ({"overrides": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}}, "exp"),
        ({"overrides": {"nonce": "replayed"}}, "nonce"),
        ({"amr": ["pwd"]}, "second factor"),
    ],
)
def test_a_bad_id_token_is_refused(
    client: tuple[TestClient, SqlStore], issuer: Issuer, tamper: dict[str, Any], why: str
) -> None:
    http, store = client
    for name, value in tamper.items():
        setattr(issuer, name, value)
    answer = _login(http, issuer)
    assert answer.status_code == 401
    assert SESSION_COOKIE not in answer.cookies
    refusals = [r for r in store.audit.records() if r.action == "login.failed"]
    assert refusals and refusals[-1].after["method"] == "oidc"
    assert store.accounts.user("olga").oidc_subject is None


def test_a_state_is_good_once_and_another_agency_user_cannot_log_in(
    client: tuple[TestClient, SqlStore], issuer: Issuer
) -> None:
    http, _ = client
    start = http.get("/api/v1/auth/oidc/alpha/login", follow_redirects=False)
    code, state = issuer.authorize(start.headers["location"], "u-9", "bert")
    refused = http.get("/api/v1/auth/oidc/callback", params={"code": code, "state": state})
    assert refused.status_code == 401
    again = http.get("/api/v1/auth/oidc/callback", params={"code": code, "state": state})
    assert again.status_code == 401
    assert http.get("/api/v1/auth/oidc/beta/login", follow_redirects=False).status_code == 401
