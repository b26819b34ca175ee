"""Networks, operations and administration in a real browser: a network drawn with its
members, the operation dashboard's figures equal to the API's, an agency admin creating a
token (shown once, working, then revoked) and a user, and setting the agency's reveal budget.
A screenshot of every page is saved."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from interlink.domain.cases import SuspectStatus, VictimStatus
from interlink.domain.principal import Role
from interlink.services import accounts, victims
from interlink.services.cases import acting_agency
from tests.api.node import CASES, OPERATIONS, PLANTED_NETWORKS, build_node, operator
from tests.web.browser import chromium, gone, require_browser, serving
from tests.web.test_browser import PASSWORD, Site


@pytest.fixture(scope="module")
def ops_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_browser()
    tmp = tmp_path_factory.mktemp("web-ops")
    node = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    store = node.store
    made = accounts.add_user(
        store,
        operator(store),
        "alpha-lead",
        agency="alpha",
        roles=frozenset({Role.INVESTIGATOR, Role.EXAMINER, Role.AGENCY_ADMIN}),
        password=PASSWORD,
    )
    assert made.totp_secret is not None
    alpha = acting_agency(store, "alpha", actor="operator")
    victims.add_victim(store, "child-1", alpha, case=CASES["alpha"], actor="operator")
    for status in (VictimStatus.IDENTIFIED, VictimStatus.SAFEGUARDED):
        victims.advance_victim(store, "child-1", status, alpha, actor="operator")
    victims.add_suspect(store, "offender-1", alpha, case=CASES["alpha"], actor="operator")
    victims.advance_suspect(store, "offender-1", SuspectStatus.IDENTIFIED, alpha, actor="operator")
    shots = tmp / "screenshots"
    shots.mkdir()
    with serving(node.app) as base, chromium(tmp / "profile") as driver:
        yield Site(node, base, driver, {"alpha-lead": made.totp_secret}, shots)
    store.close()


def _json(site: Site, path: str) -> Any:
    site.go(path)
    return json.loads(site.driver.find_element(By.TAG_NAME, "body").text)


def test_a_network_is_drawn_with_its_members(ops_site: Site) -> None:
    site = ops_site
    site.login("alpha-lead")
    site.go("/networks")
    rows = site.driver.find_elements(By.CSS_SELECTOR, "#networks tbody tr")
    assert len(rows) == PLANTED_NETWORKS
    link = site.driver.find_element(By.ID, "graphml").get_attribute("href")
    assert link is not None and link.endswith("/api/v1/networks/builds/latest/graphml")
    site.shot("networks")
    site.driver.find_element(By.LINK_TEXT, "N1").click()
    site.wait(30).until(ec.presence_of_element_located((By.ID, "graph")))
    members = site.driver.find_elements(By.CSS_SELECTOR, "#graph circle[data-member]")
    table = site.driver.find_elements(By.CSS_SELECTOR, "#members tbody tr")
    assert len(members) == len(table) == 6
    key_players = site.driver.find_elements(By.CSS_SELECTOR, "#key-players li")
    outlined = site.driver.find_elements(By.CSS_SELECTOR, "#graph circle.key")
    assert len(key_players) == len(outlined) == 3
    assert site.driver.find_elements(By.CSS_SELECTOR, "#graph rect.media")
    assert not site.driver.find_elements(By.TAG_NAME, "img")  # no picture of media here
    site.shot("network")
    api = _json(site, "/api/v1/networks/builds/latest/networks/N1")
    assert api["key_players"]
    site.go("/networks/N1")
    shown = [li.text for li in site.driver.find_elements(By.CSS_SELECTOR, "#key-players li")]
    assert shown == api["key_players"]


def test_the_operation_dashboard_shows_the_apis_figures(ops_site: Site) -> None:
    site = ops_site
    site.login("alpha-lead")
    site.go("/operations")
    site.driver.find_element(By.LINK_TEXT, OPERATIONS["alpha"]).click()
    site.wait(30).until(ec.presence_of_element_located((By.ID, "operation-figures")))
    shown = {
        e.get_attribute("data-figure"): int(e.text)
        for e in site.driver.find_elements(By.CSS_SELECTOR, "#operation-figures [data-figure]")
    }
    countries = {
        row.get_attribute("data-country"): [
            int(td.text) for td in row.find_elements(By.CSS_SELECTOR, "td.num")
        ]
        for row in site.driver.find_elements(By.CSS_SELECTOR, "#countries tbody tr")
    }
    site.shot("operation-dashboard")
    api = _json(site, f"/api/v1/operations/{OPERATIONS['alpha']}/dashboard")
    assert shown == api["figures"]
    assert shown["networks_identified"] == PLANTED_NETWORKS
    assert shown["children_safeguarded"] == 1 and shown["offenders_identified"] == 1
    columns = (
        "cases",
        "networks_identified",
        "offenders_identified",
        "children_safeguarded",
        "victims_identified",
    )
    expected = {row["country"]: [row[c] for c in columns] for row in api["countries"]}
    assert countries == expected


def test_an_agency_admin_creates_a_token_shown_once_and_revokes_it(ops_site: Site) -> None:
    site = ops_site
    site.login("alpha-lead")
    site.go("/tokens")
    site.driver.find_element(By.ID, "token-label").send_keys("nightly script")
    site.driver.find_element(By.CSS_SELECTOR, "#new-token input[value='figures:read']").click()
    site.driver.find_element(By.ID, "create-token").click()
    secret = site.wait(30).until(ec.visibility_of_element_located((By.ID, "secret"))).text
    site.shot("token-created")
    http = site.node.client(secret)
    me = http.get("/api/v1/auth/me").json()
    assert me["name"] == "alpha-lead" and me["capabilities"] == ["figures:read"]
    assert http.get("/api/v1/cases").status_code == 403  # the scope narrows the roles
    site.go("/tokens?q=nightly")
    row = site.driver.find_element(By.CSS_SELECTOR, "#tokens tbody tr[data-token]")
    assert "nightly script" in row.text and secret not in site.driver.page_source
    site.shot("tokens")
    row.find_element(By.XPATH, ".//button[text()='Revoke']").click()
    site.wait(30).until(ec.alert_is_present()).accept()
    _reloaded(site, row)
    assert http.get("/api/v1/auth/me").status_code == 401


def test_an_agency_admin_adds_a_user_and_sets_the_budget(ops_site: Site) -> None:
    site = ops_site
    site.login("alpha-lead")
    site.go("/users")
    site.driver.find_element(By.ID, "user-name").send_keys("alpha-newcomer")
    site.driver.find_element(By.CSS_SELECTOR, "#new-user input[value='examiner']").click()
    assert not site.driver.find_elements(By.CSS_SELECTOR, "#new-user input[value='node-admin']")
    site.driver.find_element(By.CSS_SELECTOR, "#new-user button").click()
    secret = site.wait(30).until(ec.visibility_of_element_located((By.ID, "secret"))).text
    assert len(secret) >= 16  # an examiner needs TOTP: its secret is shown once
    user = site.node.store.accounts.user("alpha-newcomer")
    assert user.agency == "alpha" and {r.value for r in user.roles} == {"examiner"}
    site.shot("users")
    site.go("/agency")
    field = site.driver.find_element(By.ID, "budget")
    field.clear()
    field.send_keys("12")
    site.driver.find_element(By.CSS_SELECTOR, "#budget-form button").click()
    _reloaded(site, field)
    assert site.driver.find_element(By.ID, "budget").get_attribute("value") == "12"
    assert _json(site, "/api/v1/exposure")["budget"] == 12


def _reloaded(site: Site, element: WebElement) -> None:
    """Wait until the page that held ``element`` is gone. Caught mid-reload, Chromium answers
    "node does not belong to the document" (a plain WebDriverException): ask again."""
    wait = WebDriverWait(site.driver, 30, ignored_exceptions=(WebDriverException,))
    wait.until(gone(element))
