"""Case work through the API: watches placed and withdrawn (hits shown at the watch's
disclosure), one linked case of another agency opened at what its link and hits disclose,
and series and victims with their identified status, every change audited before/after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.domain.cases import Identifier, IdentifierKind
from interlink.domain.principal import Role
from interlink.services import casefile
from tests.api.node import CASES, Node, build_node, operator

SHARED = "shared-contact@example.org"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("casework")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    for agency in ("alpha", "beta"):
        shared = Identifier(IdentifierKind.EMAIL, SHARED)
        casefile.add_identifier(built.store, operator(built.store, agency), CASES[agency], shared)
    yield built
    built.store.close()


def test_a_watch_is_placed_hits_what_is_held_and_is_withdrawn(node: Node) -> None:
    beta = node.client(node.tokens[("beta", Role.INVESTIGATOR)])
    placed = beta.post(
        "/api/v1/watches",
        json={
            "title": "Contact of B",
            "triggers": [{"kind": "email", "value": SHARED}],
            "disclosure": "agency",
            "case": CASES["beta"],
            "priority": "high",
        },
    )
    assert placed.status_code == 201, placed.text
    watch = placed.json()
    assert watch["hits"] >= 1  # alpha's case already holds the address
    listed = beta.get("/api/v1/watches").json()["items"]
    assert [w["id"] for w in listed] == [watch["id"]] and listed[0]["active"] is True
    # Alpha is told of the hit, with beta's agency but not its case (disclosure "agency").
    alpha = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    seen = [h for h in alpha.get("/api/v1/watches/hits").json()["items"] if h["side"] == "hitter"]
    assert seen and seen[0]["agency"]["name"] == "beta" and seen[0]["case"] is None
    # Only the owner withdraws it; another agency's attempt is "not found".
    assert alpha.post(f"/api/v1/watches/{watch['id']}/withdraw").status_code == 404
    gone = beta.post(f"/api/v1/watches/{watch['id']}/withdraw")
    assert gone.status_code == 200 and gone.json()["withdrawn_at"]
    record = node.store.audit.records()[-1]
    assert (record.action, record.before) == ("watch.withdraw", {"withdrawn_at": None})
    assert beta.post(f"/api/v1/watches/{watch['id']}/withdraw").status_code == 409
    assert beta.get("/api/v1/watches").json()["items"][0]["active"] is False


def test_a_watch_naming_another_agencys_case_or_a_bad_trigger_is_refused(node: Node) -> None:
    alpha = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    other = alpha.post(
        "/api/v1/watches",
        json={"title": "x", "triggers": [{"kind": "md5", "value": "0" * 32}], "case": "B-CASE"},
    )
    assert other.status_code == 404
    bad = alpha.post(
        "/api/v1/watches", json={"title": "x", "triggers": [{"kind": "md5", "value": "zz"}]}
    )
    assert bad.status_code == 422 and "md5" in bad.json()["detail"]
    assert alpha.post("/api/v1/watches/not-a-uuid/withdraw").status_code == 422


def test_a_linked_case_shows_only_what_the_link_discloses(node: Node) -> None:
    alpha = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    found = alpha.get(f"/api/v1/cases/{CASES['alpha']}/links/{CASES['beta']}")
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["agency"]["name"] == "beta" and body["disclosure"] == "case"
    assert [e["key"] for e in body["link"]["evidence"]] == [f"email:{SHARED}"]
    text = found.text
    assert "beta-E1" not in text and "photo.jpg" not in text  # no exhibits, no paths
    # A case that is not linked is not found (its existence is not confirmed).
    node_case = "N-CASE"
    casefile.open_case(node.store, operator(node.store, "gamma"), node_case)
    assert alpha.get(f"/api/v1/cases/{CASES['alpha']}/links/{node_case}").status_code == 404
    assert alpha.get(f"/api/v1/cases/{CASES['alpha']}/links/nothing").status_code == 404
    beta = node.client(node.tokens[("beta", Role.INVESTIGATOR)])
    assert beta.get(f"/api/v1/cases/{CASES['alpha']}/links/{CASES['beta']}").status_code == 404
    assert node.store.audit.records()[-1].action != "case.link.open"


def test_a_cases_links_are_a_page_by_reference_and_its_hits_a_filter(node: Node) -> None:
    third = "G-LINKED"
    gamma = operator(node.store, "gamma")
    casefile.open_case(node.store, gamma, third)
    casefile.add_identifier(node.store, gamma, third, Identifier(IdentifierKind.EMAIL, SHARED))
    alpha = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    url = f"/api/v1/cases/{CASES['alpha']}/links"
    whole = alpha.get(url).json()
    assert (whole["case"], whole["agency"]["name"]) == (CASES["alpha"], "alpha")
    assert [r["case"] for r in whole["items"]] == [CASES["beta"], third]
    assert whole["cluster"]["cases"] == 3 and whole["next_cursor"] is None
    first = alpha.get(url, params={"limit": 1}).json()
    rest = alpha.get(url, params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert first["items"] + rest["items"] == whole["items"] and rest["next_cursor"] is None
    assert alpha.get(url, params={"cursor": "bm90IGpzb24"}).json()["field"] == "cursor"
    # The case's watch hits: the agency's hits, only those touching the case.
    beta = node.client(node.tokens[("beta", Role.INVESTIGATOR)])
    placed = beta.post(
        "/api/v1/watches",
        json={"title": "B", "triggers": [{"kind": "email", "value": SHARED}], "case": "B-CASE"},
    )
    assert placed.status_code == 201, placed.text
    hits = alpha.get("/api/v1/watches/hits", params={"case": CASES["alpha"]}).json()["items"]
    assert hits and {h["own_case"] for h in hits} == {CASES["alpha"]}
    assert alpha.get("/api/v1/watches/hits", params={"case": CASES["beta"]}).status_code == 404


def test_victims_move_on_audited_and_series_show_their_status(node: Node) -> None:
    alpha = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    made = alpha.post(
        "/api/v1/victims",
        json={"pseudonym": "V-1", "case": CASES["alpha"], "series": ["Blue Room"]},
    )
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "unidentified" and made.json()["case"] == CASES["alpha"]
    beta = node.client(node.tokens[("beta", Role.INVESTIGATOR)])
    assert (
        beta.post("/api/v1/victims", json={"pseudonym": "W-9", "series": ["blue room"]}).status_code
        == 201
    )
    moved = alpha.put("/api/v1/victims/V-1/status", json={"status": "identified"})
    assert moved.status_code == 200 and moved.json()["identified"] is True
    record = node.store.audit.records()[-1]
    assert record.action == "victim.status"
    assert (record.before["status"], record.after["status"]) == ("unidentified", "identified")
    # Moving back, or a victim of another agency, is refused.
    back = alpha.put("/api/v1/victims/V-1/status", json={"status": "unidentified"})
    assert back.status_code == 409
    theirs = alpha.put("/api/v1/victims/W-9/status", json={"status": "identified"})
    assert theirs.status_code == 404
    assert (
        alpha.post("/api/v1/victims", json={"pseudonym": "V-2", "case": CASES["beta"]}).status_code
        == 404
    )
    series = alpha.get("/api/v1/series").json()["items"]
    blue = next(s for s in series if s["series"] == "Blue Room")
    assert (blue["victims"], blue["identified"], blue["unidentified"]) == (2, 1, 1)
    assert blue["identified_status"] == "some identified"
    assert blue["yours"] == ["V-1"]
    assert blue["others"] == [{"status": "unidentified", "agency": blue["others"][0]["agency"]}]
    assert "W-9" not in str(blue)  # another agency's pseudonyms are not shown
    victims = alpha.get("/api/v1/victims").json()["items"]
    assert [v["pseudonym"] for v in victims] == ["V-1"]
