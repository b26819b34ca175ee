"""``/api/v1/lists``: upload import within the size limit, detail, diff, votes, export,
enable and disable."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.api.deps import ServerOptions
from interlink.domain.principal import Role
from tests.api.node import KNOWN_MD5, Node, build_node

LIMIT = 4096


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("lists")
    built = build_node(
        f"sqlite:///{tmp / 'node.db'}",
        tmp,
        options=ServerOptions(max_upload_bytes=LIMIT, lookup_recheck=0),
    )
    yield built
    built.store.close()


def test_an_upload_is_imported_with_its_bad_records_named(node: Node) -> None:
    curator = node.client(node.tokens[("alpha", Role.CURATOR)])
    body = f"md5,category\n{'a' * 32},uk:A\nnot-a-hash,uk:A\n{'b' * 32},uk:B\n".encode()
    response = curator.post(
        "/api/v1/lists",
        data={"name": "up", "format": "csv"},
        files={"file": ("up.csv", body, "text/csv")},
    )
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["name"], result["added"], result["errors"]) == ("up", 2, 1)
    assert result["error_details"][0]["position"] == "line 3"
    detail = curator.get("/api/v1/lists/up").json()
    assert detail["entries"] == 2 and detail["by_category"] == {"uk:A": 1, "uk:B": 1}
    assert node.store.audit.records()[-1].action == "list.show"


def test_an_upload_over_the_limit_is_refused_and_stores_nothing(node: Node) -> None:
    curator = node.client(node.tokens[("alpha", Role.CURATOR)])
    rows = "".join(f"{n:032x},uk:A\n" for n in range(LIMIT // 20))
    response = curator.post(
        "/api/v1/lists",
        data={"name": "big", "format": "csv"},
        files={"file": ("big.csv", f"md5,category\n{rows}".encode())},
    )
    assert response.status_code == 413
    assert response.json()["field"] == "file"
    assert "big" not in {s.list.name for s in node.store.lists.all()}


def test_an_unknown_format_names_the_field(node: Node) -> None:
    curator = node.client(node.tokens[("alpha", Role.CURATOR)])
    response = curator.post(
        "/api/v1/lists", data={"name": "x", "format": "doc"}, files={"file": ("x", b"md5\n")}
    )
    assert response.status_code == 422 and response.json()["field"] == "format"


def test_diff_votes_export_and_switching_off(node: Node) -> None:
    curator = node.client(node.tokens[("alpha", Role.CURATOR)])
    diff = curator.get("/api/v1/lists/known/diff/spare").json()
    assert (diff["only_a"], diff["only_b"], diff["different"]) == (3, 0, 1)
    votes = curator.get("/api/v1/lists/votes").json()["items"]
    assert [v["value"] for v in votes] == [KNOWN_MD5]
    assert {c["category"] for c in votes[0]["votes"]} == {"uk:B", "uk:C"}
    exported = curator.get("/api/v1/lists/spare/export", params={"format": "csv"})
    assert exported.status_code == 200 and KNOWN_MD5.encode() in exported.content
    assert curator.post("/api/v1/lists/spare/disable").json()["enabled"] is False
    lookup = curator.get(f"/api/v1/lookups/md5/{KNOWN_MD5}").json()
    assert [m["list"] for m in lookup["matches"]] == ["known"]
    assert curator.post("/api/v1/lists/spare/enable").json()["enabled"] is True
    assert curator.get("/api/v1/lists/nothing").status_code == 404


def test_platform_reports_are_imported_and_networks_built(node: Node) -> None:
    client = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    before = client.get("/api/v1/networks/builds/latest").json()["reports"]
    reports = {
        "reports": [
            {"reportId": "r1", "personOrUserReported": {"espIdentifier": "acct-1"}},
            "not a report",
            {"reportId": "r2", "personOrUserReported": {"espIdentifier": "acct-2"}},
        ]
    }
    imported = client.post(
        "/api/v1/platform-reports",
        files={"file": ("tips.json", json.dumps(reports).encode(), "application/json")},
    )
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert (body["imported"], body["new"]) == (2, 2)
    assert body["problems"][0]["position"] == "report 2"
    built = client.post("/api/v1/networks/builds").json()
    assert built["reports"] == before + 2
    assert client.get("/api/v1/networks/builds/latest").json()["build"] == built["build"]
    too_big = client.post(
        "/api/v1/platform-reports", files={"file": ("big.json", b" " * (LIMIT + 1))}
    )
    assert too_big.status_code == 413


def test_a_second_version_shows_what_it_changed(node: Node) -> None:
    curator = node.client(node.tokens[("alpha", Role.CURATOR)])
    for body in (
        f"md5,category\n{'1' * 32},uk:A\n{'2' * 32},uk:B\n",
        f"md5,category\n{'1' * 32},uk:C\n{'3' * 32},uk:B\n",
    ):
        response = curator.post(
            "/api/v1/lists",
            data={"name": "versioned", "format": "csv"},
            files={"file": ("v.csv", body.encode(), "text/csv")},
        )
        assert response.status_code == 201, response.text
    versions = curator.get("/api/v1/lists/versioned/versions").json()["items"]
    assert [(v["added"], v["changed"], v["removed"]) for v in versions] == [
        (None, None, None),
        (1, 1, 1),
    ]
    first = curator.get("/api/v1/lists/versioned/versions", params={"limit": 1}).json()
    second = curator.get(
        "/api/v1/lists/versioned/versions", params={"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    # The store cuts the pages; the second page's version is still not the first recorded.
    assert first["items"] + second["items"] == versions
    assert second["next_cursor"] is None
    changes = curator.get("/api/v1/lists/versioned/changes").json()
    assert (changes["from"], changes["to"]) == (
        versions[0]["generation"],
        versions[1]["generation"],
    )
    assert [r["item"] for r in changes["items"]] == sorted(r["item"] for r in changes["items"])
    one = curator.get("/api/v1/lists/versioned/changes", params={"limit": 1}).json()
    assert (one["added"], one["removed"], one["changed"], len(one["items"])) == (1, 1, 1, 1)
    assert one["truncated"] and one["items"] == changes["items"][:1]
    rest = curator.get(
        "/api/v1/lists/versioned/changes", params={"limit": 5, "cursor": one["next_cursor"]}
    ).json()
    assert rest["items"] == changes["items"][1:] and rest["next_cursor"] is None
    by_change = {r["change"]: r for r in changes["items"]}
    assert by_change["changed"]["category_before"] == "uk:A"
    assert by_change["changed"]["category_after"] == "uk:C"
    assert by_change["removed"]["item"] == f"md5:{'2' * 32}"
    bad = curator.get("/api/v1/lists/versioned/changes", params={"from": 99})
    assert bad.status_code == 404
    page = curator.get(f"/lists/versioned/changes?from={changes['from']}&to={changes['to']}")
    assert page.status_code == 200
    assert f'href="/api/v1/lists/versioned/changes?from={changes["from"]}&amp;to=' in page.text
    assert 'data-change="changed"' in page.text
