"""A case's media through the API: clues, blurred views, and reveals that need a second
factor and a reason, each audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from interlink.api.deps import CSRF_HEADER
from interlink.auth import totp
from interlink.domain.principal import Role
from interlink.services import accounts
from tests.api.node import CASES, Node, build_node, operator

PASSWORD = "a long examiner password"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("media")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def test_media_with_clues_and_a_blurred_view(node: Node) -> None:
    client = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    items = client.get(f"/api/v1/cases/{CASES['alpha']}/media").json()["items"]
    assert [m["sha256"] for m in items] == [node.media["alpha"]]
    assert items[0]["paths"] == ["alpha-E1:photo.jpg"]
    view = client.get(f"/api/v1/cases/{CASES['alpha']}/media/{node.media['alpha']}/thumbnail")
    assert view.status_code == 200 and view.headers["content-type"] == "image/jpeg"
    assert view.content != node.store.media.thumbnail(node.media["alpha"])
    other = client.get(f"/api/v1/cases/{CASES['alpha']}/media/{node.media['beta']}/thumbnail")
    assert other.status_code == 404
    assert node.store.audit.records()[-2].action == "media.view"


def test_a_reveal_needs_a_second_factor_and_a_reason(node: Node) -> None:
    made = accounts.add_user(
        node.store,
        operator(node.store),
        "exa",
        agency="alpha",
        roles=frozenset({Role.EXAMINER}),
        password=PASSWORD,
    )
    assert made.totp_secret is not None
    url = f"/api/v1/cases/{CASES['alpha']}/media/{node.media['alpha']}/reveal"
    token = node.client(node.tokens[("alpha", Role.EXAMINER)])
    refused = token.post(url, json={"reason": "identify the room"})
    assert refused.status_code == 403 and "second factor" in refused.json()["detail"]
    browser = node.client()
    code = totp.code_at(made.totp_secret, datetime.now(UTC))
    login = browser.post(
        "/api/v1/auth/login", json={"name": "exa", "password": PASSWORD, "code": code}
    )
    headers = {CSRF_HEADER: login.json()["csrf_token"]}
    short = browser.post(url, json={"reason": "x"}, headers=headers)
    assert short.status_code == 422 and short.json()["field"] == "reason"
    clear = browser.post(url, json={"reason": "identify the room"}, headers=headers)
    assert clear.status_code == 200
    assert clear.content == node.store.media.thumbnail(node.media["alpha"])
    last = node.store.audit.records()[-1]
    assert (last.actor, last.action) == ("alpha/exa", "media.reveal")
    assert last.after == {"sha256": node.media["alpha"], "reason": "identify the room"}
