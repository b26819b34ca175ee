"""Grading through the API: an examiner's category vote on a media of its case, curators'
votes on a listed item, the trusted grade once enough agencies agree (counted by the lists'
own vote logic, so the case report shows it too), withdrawal, and the audit's before/after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.domain.principal import Role
from interlink.services import grading
from tests.api.node import CASES, KNOWN_MD5, Node, build_node, operator


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("grading")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def _votes_url(node: Node, agency: str = "alpha") -> str:
    return f"/api/v1/cases/{CASES[agency]}/media/{node.media[agency]}/votes"


def test_three_agencies_agreeing_make_the_grade_trusted(node: Node) -> None:
    examiner = node.client(node.tokens[("alpha", Role.EXAMINER)])
    sha = node.media["alpha"]
    first = examiner.post(_votes_url(node), json={"category": "uk:B"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["your_votes"] == ["uk:B"] and body["trusted_grade"] == []
    assert body["votes"][0]["agencies"] == 1 and body["votes"][0]["agency_names"] is None
    # The examiner changes its mind: the agency's vote under the scheme is replaced.
    again = examiner.post(_votes_url(node), json={"category": "uk:A"}).json()
    assert [v["category"] for v in again["votes"]] == ["uk:A"]
    record = node.store.audit.records()[-1]
    assert (record.action, record.before, record.after["category"]) == (
        "grade.vote",
        {"category": "uk:B"},
        "uk:A",
    )
    curator = node.client(node.tokens[("beta", Role.CURATOR)])
    listed = curator.post(f"/api/v1/lists/votes/sha256/{sha}", json={"category": "uk:A"})
    assert listed.status_code == 200, listed.text
    assert listed.json()["trusted_grade"] == []
    assert listed.json()["votes"][0]["agency_names"] == ["alpha", "beta"]
    grading.vote_item(
        node.store, operator(node.store, "gamma"), "sha256", sha, "uk:A", trusted_votes=3
    )
    shown = examiner.get(_votes_url(node)).json()
    assert shown["trusted_grade"] == ["uk:A"]
    assert shown["votes"] == [
        {
            "category": "uk:A",
            "scheme": "uk",
            "label": shown["votes"][0]["label"],
            "agencies": 3,
            "agency_names": None,
            "lists": None,
            "trusted": True,
            "yours": True,
        }
    ]
    report = examiner.get(f"/api/v1/cases/{CASES['alpha']}/report").json()
    graded = [f for f in report["files"] if f["sha256"] == sha]
    assert (
        graded
        and {"category": "uk:A", "agencies": 3, "trusted": True} in graded[0]["category_votes"]
    )


def test_a_withdrawn_vote_no_longer_counts(node: Node) -> None:
    examiner = node.client(node.tokens[("beta", Role.EXAMINER)])
    url = _votes_url(node, "beta")
    assert examiner.post(url, json={"category": "projectvic-us:1"}).status_code == 200
    gone = examiner.delete(url + "/projectvic-us")
    assert gone.status_code == 200 and gone.json()["votes"] == []
    assert node.store.audit.records()[-1].before == {"category": "projectvic-us:1"}
    assert examiner.delete(url + "/projectvic-us").status_code == 404


def test_a_listed_item_by_md5_counts_every_list_that_names_it(node: Node) -> None:
    curator = node.client(node.tokens[("alpha", Role.CURATOR)])
    before = curator.get(f"/api/v1/lists/votes/md5/{KNOWN_MD5}").json()
    assert {v["category"] for v in before["votes"]} == {"uk:B", "uk:C"}
    assert before["conflict"] is True
    after = curator.post(f"/api/v1/lists/votes/md5/{KNOWN_MD5}", json={"category": "uk:B"})
    votes = {v["category"]: v for v in after.json()["votes"]}
    assert votes["uk:B"]["agencies"] == 2 and votes["uk:B"]["yours"] is True
    assert "grades-alpha" in votes["uk:B"]["lists"]


def test_bad_votes_are_refused_naming_the_field(node: Node) -> None:
    examiner = node.client(node.tokens[("alpha", Role.EXAMINER)])
    bad = examiner.post(_votes_url(node), json={"category": "uk:Z"})
    assert bad.status_code == 422 and bad.json()["field"] == "category"
    curator = node.client(node.tokens[("alpha", Role.CURATOR)])
    wrong = curator.post("/api/v1/lists/votes/md5/xyz", json={"category": "uk:A"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "value"
    scheme = curator.delete(f"/api/v1/lists/votes/md5/{KNOWN_MD5}/nope")
    assert scheme.status_code == 422


def test_other_agencies_media_and_other_roles_are_refused(node: Node) -> None:
    examiner = node.client(node.tokens[("beta", Role.EXAMINER)])
    assert examiner.post(_votes_url(node), json={"category": "uk:A"}).status_code == 404
    investigator = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    assert investigator.post(_votes_url(node), json={"category": "uk:A"}).status_code == 403
    assert investigator.get(_votes_url(node)).status_code == 200


def test_a_vote_reaches_the_lookup_index_at_once(node: Node) -> None:
    examiner = node.client(node.tokens[("beta", Role.EXAMINER)])
    sha = node.media["beta"]
    assert examiner.post(_votes_url(node, "beta"), json={"category": "uk:C"}).status_code == 200
    found = examiner.get(f"/api/v1/lookups/sha256/{sha}")
    assert found.status_code == 200, found.text
    assert any(
        m["list"] == "grades-beta" and m["category"] == "uk:C" for m in found.json()["matches"]
    ), found.text
