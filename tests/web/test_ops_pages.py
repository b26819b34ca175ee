"""The networks, referrals, operations, users, tokens and agency pages without a browser:
each links its JSON twin, sorts, filters and pages; and the login page's identity-provider
button leads through a real local issuer to a session and the cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from interlink.adapters.sql.store import SqlStore
from interlink.api.app import create_app
from interlink.api.deps import SESSION_COOKIE
from interlink.domain.principal import Role
from interlink.services import accounts, oidc_login
from interlink.settings import Settings
from tests.api.issuer import Issuer
from tests.api.node import OPERATIONS, Node, build_node, operator


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("ops-pages")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


PAGES = {
    "/networks": (Role.INVESTIGATOR, "/api/v1/networks/builds/latest/networks"),
    "/networks/N1": (Role.INVESTIGATOR, "/api/v1/networks/builds/latest/networks/N1"),
    "/referrals": (Role.INVESTIGATOR, "/api/v1/referrals"),
    "/referrals/DE": (Role.INVESTIGATOR, "/api/v1/referrals/DE"),
    "/operations": (Role.VIEWER, "/api/v1/operations"),
    f"/operations/{OPERATIONS['alpha']}": (
        Role.VIEWER,
        f"/api/v1/operations/{OPERATIONS['alpha']}/dashboard",
    ),
    "/users": (Role.AGENCY_ADMIN, "/api/v1/users"),
    "/tokens": (Role.VIEWER, "/api/v1/tokens"),
    "/agency": (Role.AGENCY_ADMIN, "/api/v1/exposure/budget"),
}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_every_page_links_its_json_twin(node: Node, path: str) -> None:
    role, twin = PAGES[path]
    http = node.client(node.tokens[("alpha", role)])
    page = http.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert f'href="{twin}" rel="alternate"' in page.text
    assert http.get(twin).status_code == 200
    assert "<img" not in page.text or 'class="blur"' in page.text


def test_lists_sort_filter_and_page(node: Node) -> None:
    http = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    ascending = http.get("/referrals?sort=country").text
    descending = http.get("/referrals?sort=-country").text
    assert ascending.index(">DE<") < ascending.index(">PL<")
    assert descending.index(">PL<") < descending.index(">DE<")
    only = http.get("/referrals?q=fr").text
    assert ">FR<" in only and ">DE<" not in only
    assert http.get("/networks/N1?sort=nonsense").status_code == 422
    members = http.get("/networks/N1?sort=-capital").text
    assert members.count('<circle data-member="') == 6
    assert 'class="key"' in members


def test_the_users_page_is_for_admins_and_offers_no_node_admin_role(node: Node) -> None:
    admin = node.client(node.tokens[("alpha", Role.AGENCY_ADMIN)])
    page = admin.get("/users").text
    assert "alpha-viewer" in page and "beta-viewer" not in page
    assert 'value="node-admin"' not in page
    assert node.client(node.tokens[("alpha", Role.EXAMINER)]).get("/users").status_code == 403


@pytest.fixture
def oidc_site(tmp_path: Path) -> Iterator[tuple[TestClient, Issuer]]:
    url = f"sqlite:///{tmp_path / 'oidc.db'}"
    store = SqlStore.open(url)
    root = operator(store)
    accounts.add_user(
        store, root, "olga", agency="alpha", roles=frozenset({Role.EXAMINER}), password=None
    )
    accounts.add_user(
        store, root, "bert", agency="beta", roles=frozenset({Role.VIEWER}), password=None
    )
    app = create_app(Settings.load({}, home=tmp_path, database_url=url), store=store)
    http = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    with Issuer() as issuer:
        assert 'id="oidc"' not in http.get("/login").text  # no provider: no button
        oidc_login.configure(
            store, root, "alpha", issuer=issuer.url, client_id="interlink-node", client_secret="s"
        )
        yield http, issuer
    store.close()


def test_the_login_page_offers_the_agencys_provider_and_ends_on_the_cases(
    oidc_site: tuple[TestClient, Issuer],
) -> None:
    http, issuer = oidc_site
    login = http.get("/login").text
    assert 'href="/login/oidc/alpha"' in login and "/login/oidc/beta" not in login
    start = http.get("/login/oidc/alpha", follow_redirects=False)
    assert start.status_code == 302
    location = start.headers["location"]
    assert location.startswith(f"{issuer.url}/authorize")
    redirect = parse_qs(urlparse(location).query)["redirect_uri"]
    assert redirect == ["https://testserver/login/oidc/callback"]
    code, state = issuer.authorize(location, "u-1", "olga")
    back = http.get(
        "/login/oidc/callback", params={"code": code, "state": state}, follow_redirects=False
    )
    assert back.status_code == 303 and back.headers["location"] == "/cases"
    assert SESSION_COOKIE in back.cookies
    assert http.get("/api/v1/auth/me").json()["name"] == "olga"
    replay = http.get("/login/oidc/callback", params={"code": code, "state": state})
    assert replay.status_code == 401 and 'id="login"' in replay.text
    assert http.get("/login/oidc/beta", follow_redirects=False).status_code == 401
