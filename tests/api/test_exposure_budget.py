"""The daily budget of clear views an agency admin sets for its agency: stored, audited with
before and after, bounded, applied to its users only, and enforced on reveals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from interlink.domain.errors import AccessDeniedError
from interlink.domain.principal import AuthMethod, Role
from interlink.services import exposure
from interlink.services.authentication import principal_of
from tests.api.node import Node, build_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("budget")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def test_an_agency_admin_sets_its_agencys_budget(node: Node) -> None:
    admin = node.client(node.tokens[("alpha", Role.AGENCY_ADMIN)])
    examiner = node.client(node.tokens[("alpha", Role.EXAMINER)])
    other = node.client(node.tokens[("beta", Role.EXAMINER)])
    assert examiner.get("/api/v1/exposure").json()["budget"] == exposure.DEFAULT_DAILY_BUDGET
    answer = admin.put("/api/v1/exposure/budget", json={"budget": 7})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"agency": "alpha", "budget": 7, "default": 50}
    assert examiner.get("/api/v1/exposure").json()["budget"] == 7
    assert examiner.get("/api/v1/exposure/budget").json()["budget"] == 7
    assert other.get("/api/v1/exposure").json()["budget"] == exposure.DEFAULT_DAILY_BUDGET
    admin.put("/api/v1/exposure/budget", json={"budget": 3})
    changes = [r for r in node.store.audit.records() if r.action == "agency.reveal_budget"]
    assert [(c.before, c.after) for c in changes[-2:]] == [
        ({"budget": 50}, {"budget": 7}),
        ({"budget": 7}, {"budget": 3}),
    ]
    assert changes[-1].actor == "alpha/alpha-agency-admin"


@pytest.mark.parametrize("budget", [-1, exposure.MAX_DAILY_BUDGET + 1, "many"])
def test_a_bad_budget_is_refused_and_changes_nothing(node: Node, budget: object) -> None:
    admin = node.client(node.tokens[("beta", Role.AGENCY_ADMIN)])
    before = admin.get("/api/v1/exposure/budget").json()["budget"]
    answer = admin.put("/api/v1/exposure/budget", json={"budget": budget})
    assert answer.status_code == 422
    assert answer.json()["field"].endswith("budget")
    assert admin.get("/api/v1/exposure/budget").json()["budget"] == before


def test_only_an_agency_admin_sets_it(node: Node) -> None:
    for role in (Role.EXAMINER, Role.NODE_ADMIN, Role.VIEWER):
        http = node.client(node.tokens[("alpha", role)])
        assert http.put("/api/v1/exposure/budget", json={"budget": 9}).status_code == 403


def test_a_reveal_past_the_agencys_budget_is_refused(node: Node) -> None:
    store = node.store
    user = store.accounts.user("beta-examiner")
    fresh = replace(principal_of(user, AuthMethod.PASSWORD), second_factor_at=datetime.now(UTC))
    admin = principal_of(store.accounts.user("beta-agency-admin"), AuthMethod.PASSWORD)
    exposure.set_daily_budget(store, admin, 0)
    with pytest.raises(AccessDeniedError, match="budget of 0"):
        exposure.require_reveal_allowed(store, fresh)
    exposure.set_daily_budget(store, admin, 5)
    assert exposure.require_reveal_allowed(store, fresh).remaining == 5
