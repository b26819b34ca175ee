"""Networks on the server: one network drawn (members, media, key players, countries), the
GraphML export equal to the CLI's, referral packages per country equal to the CLI's, and bad
input named in a problem document."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.adapters.sql.networks import SqlNetworkRepository
from interlink.domain.principal import Role
from interlink.services import networks
from tests.api.node import PLANTED_NETWORKS, Node, build_node

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("networks")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def _client(node: Node, role: Role = Role.INVESTIGATOR, agency: str = "alpha"):  # type: ignore[no-untyped-def]
    return node.client(node.tokens[(agency, role)])


def test_a_network_is_drawn_with_its_members_media_key_players_and_countries(node: Node) -> None:
    http = _client(node)
    build = http.get("/api/v1/networks/builds/latest").json()
    assert build["networks"] == PLANTED_NETWORKS
    listed = http.get("/api/v1/networks/builds/latest/networks", params={"limit": 2}).json()
    assert listed["build"] == build["build"] and len(listed["items"]) == 2
    rest = http.get(
        "/api/v1/networks/builds/latest/networks", params={"cursor": listed["next_cursor"]}
    ).json()
    ids = [n["network"] for n in listed["items"] + rest["items"]]
    assert len(ids) == PLANTED_NETWORKS and ids[:2] == ["N1", "N2"]
    answer = http.get("/api/v1/networks/builds/latest/networks/N1")
    assert answer.status_code == 200, answer.text
    view = answer.json()
    members = {m["key"] for m in view["members"]}
    assert len(members) == view["network"]["members"] == 6
    drawn = view["graph"]["nodes"]
    accounts = {n["key"] for n in drawn if n["kind"] == "account"}
    assert accounts == members
    media = [n for n in drawn if n["kind"] == "media"]
    assert len(media) == view["graph"]["media_shown"] == view["graph"]["media_total"] > 0
    assert all(0.0 <= n["x"] <= 1.0 and 0.0 <= n["y"] <= 1.0 for n in drawn)
    assert len({(n["x"], n["y"]) for n in drawn}) == len(drawn)  # no two on one spot
    drawn_ids = {n["id"] for n in drawn}
    assert view["graph"]["edges"]
    edges = view["graph"]["edges"]
    assert all(e["source"] in drawn_ids and e["target"] in drawn_ids for e in edges)
    by_capital = sorted(view["members"], key=lambda m: (-m["capital"], m["key"]))
    assert view["key_players"] == [m["key"] for m in by_capital[:3]]
    assert {n["key"] for n in drawn if n["key_player"]} == set(view["key_players"])
    assert sum(c["members"] for c in view["countries"]) == 6
    assert {c["country"] for c in view["countries"]} == set(view["network"]["countries"])
    # The layout is seeded: the same network is drawn the same way every time.
    again = http.get("/api/v1/networks/builds/latest/networks/N1").json()
    assert again["graph"] == view["graph"]


def test_a_missing_network_is_not_found(node: Node) -> None:
    answer = _client(node).get("/api/v1/networks/builds/latest/networks/N999")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_the_graphml_export_is_the_clis(node: Node, tmp_path: Path) -> None:
    answer = _client(node).get("/api/v1/networks/builds/latest/graphml")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/graphml+xml")
    assert "attachment" in answer.headers["content-disposition"]
    repository = SqlNetworkRepository(node.store, "test")
    written = networks.export(repository, tmp_path / "out", "graphml")
    assert answer.content == written[0].read_bytes()
    root = ET.fromstring(answer.content)
    found = networks.get_build(repository)
    assert len(root.findall(f".//{GRAPHML}node")) == found.graph.node_count
    exports = [r for r in node.store.audit.records() if r.action == "network.export"]
    assert exports and exports[-1].actor == "alpha/alpha-investigator"


def test_referrals_per_country_are_the_clis(node: Node, tmp_path: Path) -> None:
    http = _client(node)
    listing = http.get("/api/v1/referrals", params={"limit": 2})
    assert listing.status_code == 200
    rows = listing.json()["items"]
    cursor = listing.json()["next_cursor"]
    while cursor:
        page = http.get("/api/v1/referrals", params={"limit": 2, "cursor": cursor}).json()
        rows += page["items"]
        cursor = page["next_cursor"]
    repository = SqlNetworkRepository(node.store, "test")
    written = networks.referrals(repository, tmp_path / "refs")
    countries = sorted(
        p.name[len("referral-") : -len(".json")] for p in written if p.suffix == ".json"
    )
    assert [r["country"] for r in rows] == countries
    package = http.get("/api/v1/referrals/de")  # any case
    assert package.status_code == 200
    expected = json.loads((tmp_path / "refs" / "referral-DE.json").read_text())
    assert package.json() == expected
    assert rows[countries.index("DE")]["accounts"] == len(expected["accounts"])
    # Its networks and accounts are listings too, page by page, as the package gives them.
    for part, key in (("networks", "network_id"), ("accounts", "key")):
        first = http.get(f"/api/v1/referrals/de/{part}", params={"limit": 1}).json()
        assert first["country"] == "DE"
        rest = http.get(
            f"/api/v1/referrals/DE/{part}", params={"limit": 500, "cursor": first["next_cursor"]}
        ).json()
        listed = first["items"] + rest["items"]
        assert sorted(map(json.dumps, listed)) == sorted(map(json.dumps, expected[part]))
        assert len(listed) < 2 or first["next_cursor"] is not None
        assert len({r[key] for r in listed}) == len(listed)
    page = http.get("/api/v1/referrals/DE/html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text == (tmp_path / "refs" / "referral-DE.html").read_text()
    reads = [r for r in node.store.audit.records() if r.action == "referral.read"]
    assert reads and reads[-1].after["country"] == "DE"


@pytest.mark.parametrize(("country", "status"), [("XYZ", 422), ("1A", 422), ("ZZ", 404)])
def test_a_bad_or_absent_country_is_refused_by_name(node: Node, country: str, status: int) -> None:
    answer = _client(node).get(f"/api/v1/referrals/{country}")
    assert answer.status_code == status
    if status == 422:
        assert answer.json()["field"] == "country"


def test_a_viewer_gets_no_network_data(node: Node) -> None:
    http = _client(node, Role.VIEWER)
    for path in ("/api/v1/referrals", "/api/v1/networks/builds/latest/graphml"):
        assert http.get(path).status_code == 403
