"""Cursor pagination on every listing, checked from the router table: every GET operation of
the OpenAPI document whose answer is a collection answers a page (``items`` and
``next_cursor``) and takes ``cursor`` and ``limit``; the few that are not listings are named
below with the reason. A listing added without pagination fails here. Then every page is
walked one item at a time and must give what one large page gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from interlink.api.pagination import Page, decode, encode, paginate, position
from interlink.api.rules import rule_of
from interlink.domain.errors import InvalidFieldError
from interlink.domain.principal import ROLE_CAPABILITIES, Role
from tests.api import test_matrix
from tests.api.node import Node
from tests.api.test_matrix import SAMPLES

#: GET operations that are not listings, each with the reason. Besides these, an operation
#: whose path ends in a parameter names one record (``/cases/{case}``) and may carry that
#: record's own lists; it must still not answer a bare array.
NOT_LISTINGS: dict[str, str] = {
    "/federation/v1/lists": "a node-to-node document signed whole (architecture/federation.md)",
    "/federation/v1/watches": "a node-to-node document signed whole (architecture/federation.md)",
    "/api/v1/auth/me": "the caller: one user with its roles and capabilities",
    "/api/v1/auth/oidc/callback": "a login: one session",
    "/api/v1/auth/oidc/{agency}/login": "a redirect to the identity provider",
    "/api/v1/cases/{case}/report": "the case report document (report.json), read whole",
    "/api/v1/cases/{case}/report.html": "a file download",
    "/api/v1/cases/{case}/media/{sha256}/thumbnail": "a file download (an image)",
    "/api/v1/cases/{case}/media/{sha256}/votes": "one media's grading",
    "/api/v1/lists/{name}/export": "a file download",
    "/api/v1/networks/builds/latest/graphml": "a file download",
    "/api/v1/referrals/{country}/html": "a file download",
    "/api/v1/operations/{name}/dashboard": "a fixed summary: an operation's figures",
}

#: The matrix's two-agency node (a fixture: this module gets its own).
node = test_matrix.node


def _schema(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    found = document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema
    assert isinstance(found, dict)
    return found


def _is_page(schema: dict[str, Any]) -> bool:
    fields = schema.get("properties", {})
    return fields.get("items", {}).get("type") == "array" and "next_cursor" in fields


def _is_collection(schema: dict[str, Any]) -> bool:
    """An array, an object with a list among its fields, or an object of any keys."""
    if schema.get("type") == "array" or schema.get("additionalProperties") is True:
        return True
    return any(
        field.get("type") == "array"
        or any(a.get("type") == "array" for a in field.get("anyOf", []))
        for field in schema.get("properties", {}).values()
    )


def unpaginated(document: dict[str, Any]) -> list[str]:
    """Every GET operation of the OpenAPI ``document`` that lists without paging."""
    wrong = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        content = operation["responses"].get("200", {}).get("content", {})
        body = content.get("application/json", {}).get("schema")
        schema = _schema(document, body) if body else {}
        if _is_page(schema):
            if not {"cursor", "limit"} <= query:
                wrong.append(f"GET {path}: a page without the cursor and limit parameters")
            continue
        if "cursor" in query:
            wrong.append(f"GET {path}: takes a cursor but answers no page")
        if path in NOT_LISTINGS:
            continue
        if body is None:
            wrong.append(f"GET {path}: not JSON and not named a download")
        elif path.endswith("}") and schema.get("type") != "array":
            continue  # one record, named by the path
        elif _is_collection(schema):
            wrong.append(f"GET {path}: a collection that is not a page")
    return wrong


def _document(node: Node) -> dict[str, Any]:
    node.app.openapi_schema = None
    document = node.app.openapi()
    assert isinstance(document, dict)
    return document


def test_every_listing_is_a_page_with_cursor_and_limit(node: Node) -> None:
    wrong = unpaginated(_document(node))
    assert not wrong, "\n".join(wrong)


def test_every_exception_is_still_a_route(node: Node) -> None:
    paths = {p for p, ops in _document(node)["paths"].items() if "get" in ops}
    assert set(NOT_LISTINGS) <= paths


def test_a_listing_added_without_pagination_fails(node: Node) -> None:
    @node.app.get("/api/v1/unpaged", response_model=list[str])
    def unpaged() -> list[str]:
        return []

    @node.app.get("/api/v1/half-paged", response_model=Page[str])
    def half_paged(limit: int = 10) -> Page[str]:
        return Page[str](items=[])

    try:
        wrong = unpaginated(_document(node))
        assert any(w.startswith("GET /api/v1/unpaged:") for w in wrong)
        assert any(w.startswith("GET /api/v1/half-paged:") for w in wrong)
    finally:
        del node.app.router.routes[-2:]
        node.app.openapi_schema = None


def _walk(node: Node, token: str, url: str) -> list[Any]:
    client = node.client(token)
    joiner = "&" if "?" in url else "?"
    items: list[Any] = []
    cursor: str | None = None
    for _ in range(200):
        after = f"&cursor={cursor}" if cursor else ""
        answer = client.get(f"{url}{joiner}limit=1{after}")
        assert answer.status_code == 200, (url, answer.text)
        page = answer.json()
        assert len(page["items"]) <= 1
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError(f"{url}: more than 200 pages of one item")


def _page_routes(node: Node) -> Iterator[tuple[str, Any]]:
    document = _document(node)
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        body = operation and operation["responses"].get("200", {}).get("content", {})
        schema = body and body.get("application/json", {}).get("schema")
        if schema and _is_page(_schema(document, schema)):
            yield path, rule_of(operation)


def test_every_page_walked_one_item_at_a_time_gives_the_whole_listing(node: Node) -> None:
    walked = 0
    for path, rule in _page_routes(node):
        assert rule is not None
        role = next(r for r in Role if rule.allows(ROLE_CAPABILITIES[r]) and not rule.second_factor)
        token = node.tokens[("alpha", role)]
        url, _ = SAMPLES[("GET", path)](node, "alpha", f"alpha-{role.value}")
        joiner = "&" if "?" in url else "?"
        node.client(token).get(url)  # the token's last use, written in the background ...
        assert node.app.state.interlink.last_uses.flush(10)  # ... is in before the listing
        answer = node.client(token).get(f"{url}{joiner}limit=500")
        assert answer.status_code == 200, (path, answer.text)
        whole = answer.json()
        if path == "/api/v1/audit":
            continue  # the walk is audited: the log grows under it (see tests/api/test_audit_api)
        assert _walk(node, token, url) == whole["items"], path
        walked += len(whole["items"]) > 1
    assert walked >= 3  # listings that really had several pages


def test_paginate_goes_on_after_the_cursor_in_key_order() -> None:
    rows = ["c", "a", "b"]
    first, after = paginate(rows, str, None, 2)
    assert (first, decode(after)) == (["a", "b"], "b")
    assert paginate(rows, str, after, 2) == (["c"], None)


def test_a_cursor_of_another_kind_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidFieldError) as refused:
        position(encode("text"))
    assert refused.value.field == "cursor"
    with pytest.raises(InvalidFieldError):
        decode("not base64 !")
