"""The review queue as an investigator reads it: the agency's own category vote on an item is
a grade shown as such, not a known-list match (the item stays new, unfolded); another
agency's vote on it, like an imported list, makes it known."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interlink.domain.principal import Role
from interlink.services import grading
from tests.api.node import CASES, Node, build_node, operator


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("review-votes")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def _item(node: Node) -> dict[str, Any]:
    client = node.client(node.tokens[("alpha", Role.EXAMINER)])
    answer = client.get(f"/api/v1/cases/{CASES['alpha']}/media/{node.media['alpha']}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _queued(node: Node) -> dict[str, Any]:
    client = node.client(node.tokens[("alpha", Role.EXAMINER)])
    rows = client.get(f"/api/v1/cases/{CASES['alpha']}/review?limit=1000").json()["items"]
    return next(r for r in rows if r["sha256"] == node.media["alpha"])


def test_the_agencys_own_vote_is_a_grade_and_another_agencys_makes_it_known(
    node: Node,
) -> None:
    assert _item(node)["known"] is False
    examiner = node.client(node.tokens[("alpha", Role.EXAMINER)])
    url = f"/api/v1/cases/{CASES['alpha']}/media/{node.media['alpha']}/votes"
    assert examiner.post(url, json={"category": "uk:B"}).status_code == 200
    voted = _item(node)
    assert voted["known"] is False and voted["your_votes"] == ["uk:B"]
    assert [(m["list"], m["own_vote"]) for m in voted["matches"]] == [("grades-alpha", True)]
    assert _queued(node)["known"] is False  # still with the new media, not folded as known
    grading.vote_item(
        node.store,
        operator(node.store, "beta"),
        "sha256",
        node.media["alpha"],
        "uk:B",
        trusted_votes=3,
    )
    seen_elsewhere = _item(node)
    assert seen_elsewhere["known"] is True and seen_elsewhere["your_votes"] == ["uk:B"]
    assert {(m["list"], m["own_vote"]) for m in seen_elsewhere["matches"]} == {
        ("grades-alpha", True),
        ("grades-beta", False),
    }
    assert _queued(node)["known"] is True
