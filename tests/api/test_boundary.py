"""The API's edge: problem documents for bad input (naming the field, never a 500), nothing
changed by a failed request, pages, isolation between agencies, lookups, health."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.domain.principal import Role
from tests.api.node import CASES, KNOWN_MD5, KNOWN_PDQ, Node, build_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("boundary")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def _as(node: Node, agency: str, role: Role) -> object:
    return node.client(node.tokens[(agency, role)])


def test_health_and_readiness(node: Node) -> None:
    client = node.client()
    assert client.get("/healthz").json() == {"status": "ok", "detail": ""}
    assert client.get("/readyz").json()["status"] == "ready"
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["paths"]["/api/v1/cases"]["get"]["x-interlink-rule"]["capabilities"] == [
        "cases:read"
    ]


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("POST", "/api/v1/cases", {"name": ""}, "name"),
        ("POST", "/api/v1/cases", {}, "name"),
        ("PUT", f"/api/v1/cases/{CASES['alpha']}/status", {"status": "lost"}, "status"),
        ("POST", f"/api/v1/cases/{CASES['alpha']}/identifiers", {"kind": "ip", "value": "x"}, "ip"),
        (
            "POST",
            "/api/v1/lookups",
            {"queries": [{"type": "pdq", "value": "zz"}]},
            "queries[0].value",
        ),
        ("POST", "/api/v1/lookups", {"queries": []}, "queries"),
        ("GET", "/api/v1/cases?cursor=%%%", None, "cursor"),
        ("GET", "/api/v1/cases?limit=0", None, "limit"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(
    node: Node, method: str, url: str, body: object, field: str
) -> None:
    before = len(node.store.audit.records())
    cases_before = node.store.cases.all()
    response = node.client(node.tokens[("alpha", Role.INVESTIGATOR)]).request(
        method, url, json=body
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == response.status_code and field in problem.get("field", "")
    assert "Traceback" not in response.text
    assert node.store.cases.all() == cases_before
    changes = [r for r in node.store.audit.records()[before:] if r.action != "token.use"]
    assert changes == []


def test_unknown_routes_and_methods_are_problems(node: Node) -> None:
    client = node.client()
    assert client.get("/api/v1/nowhere").json()["status"] == 404
    assert client.delete("/healthz").json()["status"] == 405


def test_one_agency_never_sees_another_agencys_cases(node: Node) -> None:
    alpha = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    listed = alpha.get("/api/v1/cases").json()["items"]
    assert CASES["beta"] not in {row["case"] for row in listed}
    other = alpha.get(f"/api/v1/cases/{CASES['beta']}")
    assert other.status_code == 404 and CASES["beta"] in other.json()["detail"]
    admins = node.client(node.tokens[("alpha", Role.AGENCY_ADMIN)]).get("/api/v1/users").json()
    assert {u["agency"] for u in admins["items"]} == {"alpha"}
    audit = node.client(node.tokens[("alpha", Role.AGENCY_ADMIN)]).get("/api/v1/audit").json()
    assert audit["items"] and all(r["actor"].startswith("alpha/") for r in audit["items"])


def test_listings_page_with_cursors(node: Node) -> None:
    client = node.client(node.tokens[("alpha", Role.NODE_ADMIN)])
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/users", params=params).json()
        seen += [u["name"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == len(
        node.store.accounts.users(None)
    )


def test_reads_of_case_data_are_audited(node: Node) -> None:
    alpha = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    assert alpha.get(f"/api/v1/cases/{CASES['alpha']}").status_code == 200
    last = node.store.audit.records()[-1]
    assert (last.actor, last.action) == ("alpha/alpha-investigator", "case.read")


def test_lookups_exact_and_pdq_with_distance(node: Node) -> None:
    client = node.client(node.tokens[("alpha", Role.CURATOR)])
    near = f"{int(KNOWN_PDQ[0], 16) ^ 0b111:064x}"
    body = {
        "queries": [
            {"type": "md5", "value": KNOWN_MD5.upper()},
            {"type": "pdq", "value": near},
            {"type": "pdq", "value": near, "distance": 2},
            {"type": "pdq", "value": "f" * 64},
        ]
    }
    results = client.post("/api/v1/lookups", json=body).json()["results"]
    assert results[0]["value"] == KNOWN_MD5
    assert [(m["list"], m["category"], m["distance"]) for m in results[0]["matches"]] == [
        ("known", "uk:B", 0),
        ("spare", "uk:C", 0),
    ]
    assert [(m["category"], m["distance"]) for m in results[1]["matches"]] == [("uk:A", 3)]
    assert results[2]["matches"] == [] and results[3]["matches"] == []
    single = client.get(f"/api/v1/lookups/pdq/{KNOWN_PDQ[2]}").json()
    assert single["matches"][0]["distance"] == 0
