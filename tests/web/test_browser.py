"""The web interface in a real browser: log in with TOTP, the cases, a case, the review queue,
a media item revealed with a reason (then in the audit log), another agency's case not found,
and the dashboard's figures equal to the API's. A screenshot of every page is saved."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from interlink.domain.cases import Identifier, IdentifierKind
from interlink.domain.principal import Role
from interlink.services import accounts, casefile
from tests.api.node import CASES, Node, build_node, operator
from tests.web.browser import chromium, gone, require_browser, serving

PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    """The served node, a browser, each test user's TOTP secret, and where shots go."""

    node: Node
    base: str
    driver: webdriver.Chrome
    secrets: dict[str, str]
    shots: Path

    def go(self, path: str) -> None:
        self.driver.get(self.base + path)

    def shot(self, name: str) -> None:
        """Save a screenshot of the page (also to ``$INTERLINK_SCREENSHOTS`` if set)."""
        self.driver.save_screenshot(str(self.shots / f"{name}.png"))
        extra = os.environ.get("INTERLINK_SCREENSHOTS")
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            self.driver.save_screenshot(str(Path(extra) / f"{name}.png"))

    def wait(self, seconds: float = 10) -> WebDriverWait[webdriver.Chrome]:
        return WebDriverWait(self.driver, seconds)

    def login(self, name: str) -> None:
        self.driver.delete_all_cookies()
        self.go("/login")
        self.driver.find_element(By.ID, "name").send_keys(name)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.driver.find_element(By.ID, "code").send_keys(pyotp.TOTP(self.secrets[name]).now())
        self.driver.find_element(By.ID, "login").click()
        self.wait().until(ec.url_contains("/cases"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_browser()
    tmp = tmp_path_factory.mktemp("web")
    node = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    root = operator(node.store)
    secrets = {}
    for agency in ("alpha", "beta"):
        made = accounts.add_user(
            node.store,
            root,
            f"{agency}-lead",
            agency=agency,
            roles=frozenset({Role.EXAMINER, Role.AGENCY_ADMIN}),
            password=PASSWORD,
        )
        assert made.totp_secret is not None
        secrets[f"{agency}-lead"] = made.totp_secret
    for agency in ("alpha", "beta"):
        shared = Identifier(IdentifierKind.EMAIL, "shared-contact@example.org")
        casefile.add_identifier(node.store, operator(node.store, agency), CASES[agency], shared)
    shots = tmp / "screenshots"
    shots.mkdir()
    with serving(node.app) as base, chromium(tmp / "profile") as driver:
        yield Site(node, base, driver, secrets, shots)
    node.store.close()


def test_a_wrong_code_is_refused_and_the_right_one_logs_in(site: Site) -> None:
    site.go("/cases")
    assert site.driver.find_element(By.ID, "login")  # the login form, for a 401
    site.shot("login")
    site.driver.find_element(By.ID, "name").send_keys("alpha-lead")
    site.driver.find_element(By.ID, "password").send_keys(PASSWORD)
    site.driver.find_element(By.ID, "code").send_keys("000000")
    button = site.driver.find_element(By.ID, "login")
    button.click()
    site.wait().until(gone(button))  # the answer's page, not the form sent
    assert "Log in" in site.driver.find_element(By.TAG_NAME, "h1").text
    assert site.driver.find_element(By.CSS_SELECTOR, ".error").text
    site.login("alpha-lead")
    assert CASES["alpha"] in site.driver.find_element(By.ID, "main").text
    assert CASES["beta"] not in site.driver.find_element(By.ID, "main").text
    site.shot("cases")


def test_the_case_and_its_review_queue_show_only_blurred_media(site: Site) -> None:
    site.login("alpha-lead")
    site.go(f"/cases/{CASES['alpha']}")
    assert "alpha-E1" in site.driver.find_element(By.ID, "main").text
    site.shot("case")
    site.driver.find_element(By.ID, "open-review").click()
    site.wait().until(ec.presence_of_element_located((By.CSS_SELECTOR, "li.item")))
    images = site.driver.find_elements(By.TAG_NAME, "img")
    assert images
    for image in images:
        assert "blur" in image.value_of_css_property("filter")
        assert "grayscale" in image.value_of_css_property("filter")
    keys = ActionChains(site.driver)
    keys.send_keys("j").perform()
    assert site.driver.find_elements(By.CSS_SELECTOR, "li.item.selected")
    site.shot("review")
    keys.send_keys("?").perform()
    assert site.driver.find_element(By.ID, "help").is_displayed()
    keys.send_keys(Keys.ESCAPE).perform()
    keys.send_keys(Keys.ENTER).perform()
    site.wait().until(ec.url_contains("/media/"))


def test_a_reveal_asks_a_reason_is_audited_and_ends_on_hiding(site: Site) -> None:
    site.login("alpha-lead")
    sha = site.node.media["alpha"]
    site.go(f"/cases/{CASES['alpha']}/media/{sha}")
    picture = site.driver.find_element(By.ID, "picture")
    assert "blur" in picture.value_of_css_property("filter")
    site.shot("media-blurred")
    site.driver.find_element(By.ID, "reason").send_keys("compare the room with case B")
    site.driver.find_element(By.ID, "reveal").click()
    site.wait().until(lambda d: "blur" not in (picture.get_attribute("class") or ""))
    assert picture.value_of_css_property("filter") == "none"
    assert (picture.get_attribute("src") or "").startswith("blob:")
    site.driver.find_element(By.ID, "hide").click()
    assert "blur" in picture.value_of_css_property("filter")
    site.go("/audit?q=media.reveal")
    rows = site.driver.find_elements(By.CSS_SELECTOR, 'tr[data-action="media.reveal"]')
    assert any("compare the room with case B" in r.text for r in rows)
    site.shot("audit")


def test_another_agencys_case_is_not_found(site: Site) -> None:
    site.login("beta-lead")
    site.go(f"/cases/{CASES['alpha']}")
    assert site.driver.find_element(By.TAG_NAME, "h1").text == "Not found"
    status = site.driver.execute_async_script(
        "fetch(arguments[0]).then(r => arguments[1](r.status))", site.driver.current_url
    )
    assert status == 404  # the page's own answer, as the browser got it
    site.go(f"/cases/{CASES['alpha']}/media/{site.node.media['alpha']}")
    assert site.driver.find_element(By.TAG_NAME, "h1").text == "Not found"
    site.shot("not-found")


def test_the_dashboard_shows_the_apis_figures(site: Site) -> None:
    site.login("alpha-lead")
    site.go("/dashboard")
    shown = {
        e.get_attribute("data-figure"): int(e.text)
        for e in site.driver.find_elements(By.CSS_SELECTOR, "[data-figure]")
    }
    site.shot("dashboard")
    site.go("/api/v1/figures")
    api = json.loads(site.driver.find_element(By.TAG_NAME, "body").text)
    assert shown == {k: v for k, v in api.items() if k != "agency"}
    assert shown["cases"] >= 1


def test_a_linked_case_shows_only_what_the_other_agency_discloses(site: Site) -> None:
    site.login("alpha-lead")
    site.go(f"/cases/{CASES['alpha']}")
    links = site.driver.find_element(By.ID, "links").text
    assert CASES["beta"] in links
    assert "beta" in links
    assert "shared-contact@example.org" in links
    page = site.driver.find_element(By.ID, "main").text
    assert "beta-E1" not in page  # the other side's exhibits and paths are never shown
    site.shot("case-links")
