"""A fresh second factor without logging in again: the session's user gives its current TOTP
code and may reveal for the next 10 minutes; a wrong code is refused, audited and counted
towards the lockout; a token cannot step up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from interlink.api.deps import CSRF_HEADER, SESSION_COOKIE
from interlink.domain.principal import Role
from interlink.services import accounts, authentication
from tests.api.node import Node, build_node, operator

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("step-up")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def test_a_stale_second_factor_is_refreshed_by_a_code(node: Node) -> None:
    store = node.store
    made = accounts.add_user(
        store,
        operator(store),
        "stepper",
        agency="alpha",
        roles=frozenset({Role.EXAMINER}),
        password=PASSWORD,
    )
    assert made.totp_secret is not None
    then = datetime.now(UTC) - timedelta(minutes=20)
    code_then = pyotp.TOTP(made.totp_secret).at(then)
    session = authentication.login(store, "stepper", PASSWORD, code_then, now=then)
    http = node.client()
    http.cookies.set(SESSION_COOKIE, session.secret)
    headers = {CSRF_HEADER: session.csrf_token}
    assert http.get("/api/v1/exposure").json()["fresh_until"] is None
    wrong = http.post("/api/v1/auth/step-up", json={"code": "000000"}, headers=headers)
    assert wrong.status_code == 401
    assert store.accounts.user("stepper").failed_logins == 1
    assert http.get("/api/v1/exposure").json()["fresh_until"] is None
    no_csrf = http.post("/api/v1/auth/step-up", json={"code": pyotp.TOTP(made.totp_secret).now()})
    assert no_csrf.status_code == 403
    right = http.post(
        "/api/v1/auth/step-up",
        json={"code": pyotp.TOTP(made.totp_secret).now()},
        headers=headers,
    )
    assert right.status_code == 200, right.text
    fresh = http.get("/api/v1/exposure").json()["fresh_until"]
    assert fresh is not None and datetime.fromisoformat(fresh) > datetime.now(UTC)
    assert store.accounts.user("stepper").failed_logins == 0
    actions = [r.action for r in store.audit.records() if r.actor == "alpha/stepper"]
    assert actions.index("step_up.failed") < actions.index("step_up")


def test_a_token_cannot_step_up(node: Node) -> None:
    http = node.client(node.tokens[("alpha", Role.EXAMINER)])
    answer = http.post("/api/v1/auth/step-up", json={"code": "123456"})
    assert answer.status_code == 409


@pytest.mark.parametrize("code", ["", "12", "abcdef", "1" * 13])
def test_a_malformed_code_is_refused_by_name(node: Node, code: str) -> None:
    http = node.client(node.tokens[("alpha", Role.EXAMINER)])
    answer = http.post("/api/v1/auth/step-up", json={"code": code})
    assert answer.status_code == 422
    assert answer.json()["field"].endswith("code")
