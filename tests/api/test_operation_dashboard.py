"""Operations on the server: create one, put own cases in it (never another agency's), and
its dashboard: networks identified, offenders identified, children safeguarded, country by
country, equal to what the records say."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.domain.cases import SuspectStatus, VictimStatus
from interlink.domain.principal import Role
from interlink.services import victims
from interlink.services.cases import acting_agency
from tests.api.node import CASES, PLANTED_NETWORKS, Node, build_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("operations")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def test_an_operation_is_created_joined_and_counted_country_by_country(node: Node) -> None:
    alpha = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    beta = node.client(node.tokens[("beta", Role.INVESTIGATOR)])
    made = alpha.post("/api/v1/operations", json={"name": "JOINT", "description": "rings"})
    assert made.status_code == 201, made.text
    assert made.json()["cases"] == 0
    assert alpha.post("/api/v1/operations", json={"name": "JOINT"}).status_code == 409
    added = alpha.post("/api/v1/operations/JOINT/cases", json={"case": CASES["alpha"]})
    assert added.json() == {"operation": "JOINT", "case": CASES["alpha"], "added": True}
    again = alpha.post("/api/v1/operations/JOINT/cases", json={"case": CASES["alpha"]})
    assert again.json()["added"] is False
    # Another agency's case is not found: alpha cannot put beta's case in.
    stolen = alpha.post("/api/v1/operations/JOINT/cases", json={"case": CASES["beta"]})
    assert stolen.status_code == 404
    assert beta.post("/api/v1/operations/JOINT/cases", json={"case": CASES["beta"]}).json()["added"]
    store = node.store
    alpha_agency = acting_agency(store, "alpha", actor="operator")
    beta_agency = acting_agency(store, "beta", actor="operator")
    victims.add_victim(store, "child-1", alpha_agency, case=CASES["alpha"], actor="operator")
    victims.advance_victim(store, "child-1", VictimStatus.IDENTIFIED, alpha_agency, actor="t")
    victims.advance_victim(store, "child-1", VictimStatus.SAFEGUARDED, alpha_agency, actor="t")
    victims.add_victim(store, "child-2", beta_agency, case=CASES["beta"], actor="operator")
    victims.advance_victim(store, "child-2", VictimStatus.IDENTIFIED, beta_agency, actor="t")
    victims.add_suspect(store, "offender-1", beta_agency, case=CASES["beta"], actor="operator")
    victims.advance_suspect(store, "offender-1", SuspectStatus.ARRESTED, beta_agency, actor="t")
    victims.add_suspect(store, "offender-2", alpha_agency, case=CASES["alpha"], actor="operator")

    board = beta.get("/api/v1/operations/JOINT/dashboard")
    assert board.status_code == 200, board.text
    body = board.json()
    assert body["figures"] == {
        "networks_identified": PLANTED_NETWORKS,  # every planted ring is in alpha's case
        "offenders_identified": 1,
        "children_safeguarded": 1,
        "victims_identified": 2,
        "cases": 2,
        "agencies": 2,
        "countries": 1,
    }
    rows = {r["country"]: r for r in body["countries"]}
    home = alpha_agency.country
    assert rows[home]["cases"] == 2
    assert rows[home]["children_safeguarded"] == 1
    assert rows[home]["offenders_identified"] == 1
    assert rows[home]["victims_identified"] == 2
    # Each planted ring has members in six countries: each country counts every ring.
    for code in ("DE", "ES", "FR", "IT", "NL", "PL"):
        assert rows[code]["networks_identified"] == PLANTED_NETWORKS
    # The whole view's figures agree.
    view = alpha.get("/api/v1/operations/JOINT").json()["figures"]
    assert view["victims_safeguarded"] == body["figures"]["children_safeguarded"]
    assert view["suspects_identified"] == body["figures"]["offenders_identified"]
    listed = {o["operation"]: o for o in beta.get("/api/v1/operations").json()["items"]}
    assert listed["JOINT"]["cases"] == 2 and listed["JOINT"]["own_cases"] == 1
    reads = [r for r in store.audit.records() if r.action == "operation.dashboard.read"]
    assert reads[-1].actor == "beta/beta-investigator"


def test_an_operation_without_the_callers_agency_is_refused(node: Node) -> None:
    beta = node.client(node.tokens[("beta", Role.VIEWER)])
    assert beta.get("/api/v1/operations/OP-A/dashboard").status_code in (403, 404)
    names = [o["operation"] for o in beta.get("/api/v1/operations").json()["items"]]
    assert "OP-A" not in names and "OP-B" in names


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({}, "name")],
)
def test_a_bad_operation_is_refused_by_name(node: Node, body: dict[str, str], field: str) -> None:
    alpha = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    answer = alpha.post("/api/v1/operations", json=body)
    assert answer.status_code == 422
    assert field in answer.json()["field"]
