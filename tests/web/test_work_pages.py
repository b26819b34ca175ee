"""Case work in a real browser: vote a category on a media item (the trusted grade is then
shown), open a link to another agency's case and see only what it discloses, place and
withdraw a watch, record a victim and move it on, import, compare and disable a list, and
another agency's user getting 404 on these pages of agency A's case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from interlink.domain.cases import Identifier, IdentifierKind
from interlink.domain.principal import Role
from interlink.linking.deconfliction import Disclosure, TriggerKind
from interlink.services import accounts, casefile, grading, watch_access, watches
from tests.api.node import CASES, build_node, operator
from tests.web.browser import chromium, gone, require_browser, serving
from tests.web.test_browser import PASSWORD, Site

SHARED = "shared-contact@example.org"
DESK = frozenset({Role.INVESTIGATOR, Role.EXAMINER, Role.CURATOR, Role.AGENCY_ADMIN})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_browser()
    tmp = tmp_path_factory.mktemp("work")
    node = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    root = operator(node.store)
    secrets = {}
    for agency in ("alpha", "beta"):
        made = accounts.add_user(
            node.store, root, f"{agency}-desk", agency=agency, roles=DESK, password=PASSWORD
        )
        assert made.totp_secret is not None
        secrets[f"{agency}-desk"] = made.totp_secret
        shared = Identifier(IdentifierKind.EMAIL, SHARED)
        casefile.add_identifier(node.store, operator(node.store, agency), CASES[agency], shared)
    # Two other agencies already give alpha's photo the category uk:A.
    for agency in ("beta", "gamma"):
        grading.vote_item(
            node.store,
            operator(node.store, agency),
            "sha256",
            node.media["alpha"],
            "uk:A",
            trusted_votes=3,
        )
    # Beta watches alpha's photo, disclosing only its agency to whoever holds it.
    watch_access.place(
        node.store,
        operator(node.store, "beta"),
        [watches.TriggerSpec(TriggerKind.SHA256, node.media["alpha"])],
        title="Photo of the beta series",
        disclosure=Disclosure.AGENCY,
        case=CASES["beta"],
    )
    shots = tmp / "screenshots"
    shots.mkdir()
    with serving(node.app) as base, chromium(tmp / "profile") as driver:
        yield Site(node, base, driver, secrets, shots)
    node.store.close()


def _until(site: Site) -> WebDriverWait[webdriver.Chrome]:
    """A wait that outlasts the page reloading under it (a change reloads the page): an
    element found in the old page and read in the new one is a stale reference, or, caught
    mid-reload, Chromium's "node does not belong to the document" (a plain WebDriverException)."""
    return WebDriverWait(site.driver, 30, ignored_exceptions=(WebDriverException,))


def _main(site: Site) -> str:
    return str(site.driver.find_element(By.ID, "main").text)


def test_a_category_vote_makes_the_grade_trusted(site: Site) -> None:
    site.login("alpha-desk")
    site.go(f"/cases/{CASES['alpha']}/media/{site.node.media['alpha']}")
    assert site.driver.find_element(By.ID, "no-trusted-grade")
    Select(site.driver.find_element(By.ID, "category")).select_by_value("uk:A")
    site.driver.find_element(By.CSS_SELECTOR, "#grading .vote-button").click()
    trusted = site.wait().until(ec.presence_of_element_located((By.ID, "trusted-grade")))
    assert trusted.text == "uk:A"
    row = site.driver.find_element(By.CSS_SELECTOR, '#votes tr[data-category="uk:A"]')
    assert "3" in row.text and "yours" in row.text
    picture = site.driver.find_element(By.ID, "picture")
    assert "blur" in picture.value_of_css_property("filter")
    site.shot("grading")
    site.go("/audit?q=grade.vote")  # the whole log filtered, not the page shown
    rows = site.driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr")
    assert rows and all(r.get_attribute("data-action") == "grade.vote" for r in rows)
    assert any("alpha/alpha-desk" in r.text and "uk:A" in r.text for r in rows)
    twin = site.driver.find_element(By.CSS_SELECTOR, "a.twin").get_attribute("href") or ""
    assert twin.endswith("/api/v1/audit?sort=-id&q=grade.vote")


def test_a_category_is_voted_from_the_review_queue(site: Site) -> None:
    site.login("alpha-desk")
    sha = site.node.media["alpha"]
    site.go(f"/cases/{CASES['alpha']}/review?q={sha[:16]}")
    item = f'#queue li.item[data-sha="{sha}"]'
    ActionChains(site.driver).send_keys("j").send_keys("v").perform()  # v: to the vote
    focused = site.driver.switch_to.active_element
    assert focused == site.driver.find_element(By.CSS_SELECTOR, f"{item} select")
    Select(focused).select_by_value("projectvic-us:2")
    button = site.driver.find_element(By.CSS_SELECTOR, f"{item} .vote-button")
    button.click()
    _until(site).until(gone(button))  # voted: the queue reloads
    label = _until(site).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, f"{item} form.vote label"))
    )
    assert "Voted" in label.text and "projectvic-us:2" in label.text
    graded = site.driver.find_element(By.CSS_SELECTOR, f"{item} .badge.graded")
    assert "projectvic-us:2" in graded.text  # the agency's own vote: a grade, shown as such
    known = site.driver.find_elements(By.CSS_SELECTOR, f"{item} .badge.known")
    assert all("projectvic-us:2" not in k.text for k in known)
    site.shot("review-vote")
    site.go(f"/api/v1/cases/{CASES['alpha']}/media/{sha}/votes")
    votes = json.loads(site.driver.find_element(By.TAG_NAME, "body").text)["votes"]
    assert any(v["category"] == "projectvic-us:2" and v["yours"] for v in votes)


def test_a_link_to_another_agencys_case_shows_only_what_it_discloses(site: Site) -> None:
    site.login("alpha-desk")
    site.go(f"/cases/{CASES['alpha']}")
    site.driver.find_element(By.ID, "open-links").click()
    site.wait().until(ec.url_contains("/links"))
    hit = site.driver.find_element(By.CSS_SELECTOR, '#hits tr[data-side="hitter"]')
    assert "beta" in hit.text and hit.get_attribute("data-disclosure") == "agency"
    their_case = hit.find_element(By.CSS_SELECTOR, ".their-case").text
    assert their_case == "not disclosed"  # the watch discloses beta's agency, not its case
    site.shot("links")
    site.driver.find_element(By.LINK_TEXT, CASES["beta"]).click()
    site.wait().until(ec.presence_of_element_located((By.ID, "linked")))
    page = _main(site)
    assert CASES["beta"] in page and "beta" in page
    assert f"email:{SHARED}" in site.driver.find_element(By.ID, "evidence").text
    assert "disclosure: case" in site.driver.find_element(By.ID, "disclosure").text
    for hidden in ("beta-E1", "photo.jpg", "open"):  # exhibits, paths, status
        assert hidden not in page
    site.shot("linked-case")
    site.go(f"/cases/{CASES['alpha']}/links/NO-SUCH-CASE")
    assert site.driver.find_element(By.TAG_NAME, "h1").text == "Not found"


def test_another_agencys_user_gets_404_on_the_case_work_pages(site: Site) -> None:
    site.login("beta-desk")
    for path in (
        f"/cases/{CASES['alpha']}",
        f"/cases/{CASES['alpha']}/links",
        f"/cases/{CASES['alpha']}/links/{CASES['beta']}",
        f"/cases/{CASES['alpha']}/media/{site.node.media['alpha']}",
    ):
        site.go(path)
        assert site.driver.find_element(By.TAG_NAME, "h1").text == "Not found", path


def test_a_watch_is_placed_and_withdrawn_from_its_page(site: Site) -> None:
    site.login("alpha-desk")
    site.go("/watches")
    site.driver.find_element(By.ID, "watch-title").send_keys("Contact address")
    Select(site.driver.find_element(By.ID, "watch-kind")).select_by_value("email")
    site.driver.find_element(By.ID, "watch-value").send_keys(SHARED)
    Select(site.driver.find_element(By.ID, "watch-disclosure")).select_by_value("case")
    site.driver.find_element(By.ID, "place").click()
    row = site.wait().until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#watches tr[data-watch]"))
    )
    assert "Contact address" in row.text and "active" in row.text
    owner_hits = site.driver.find_elements(By.CSS_SELECTOR, '#hits tr[data-side="owner"]')
    assert any(CASES["beta"] in h.text for h in owner_hits)  # disclosure "case"
    site.shot("watches")
    row.find_element(By.CSS_SELECTOR, "button.withdraw").click()
    _until(site).until(
        lambda d: "withdrawn" in d.find_element(By.CSS_SELECTOR, "#watches tr[data-watch]").text
    )


def test_a_victim_is_recorded_and_moved_on_and_its_series_shows_it(site: Site) -> None:
    site.login("alpha-desk")
    site.go("/victims")
    site.driver.find_element(By.ID, "victim-pseudonym").send_keys("V-7")
    site.driver.find_element(By.NAME, "series").send_keys("Green Door, Blue Room")
    site.driver.find_element(By.ID, "add").click()
    row = site.wait().until(
        ec.presence_of_element_located((By.CSS_SELECTOR, '#victims tr[data-victim="V-7"]'))
    )
    assert "unidentified" in row.text
    row.find_element(By.CSS_SELECTOR, "button.advance").click()
    _until(site).until(
        lambda d: (
            "identified"
            == d.find_element(By.CSS_SELECTOR, '#victims tr[data-victim="V-7"] .status').text
        )
    )
    site.go("/series?q=green")
    text = site.driver.find_element(By.ID, "series").text
    assert "Green Door" in text and "all identified" in text and "Blue Room" not in text


def test_a_list_is_imported_compared_and_disabled(site: Site, tmp_path: Path) -> None:
    site.login("alpha-desk")
    upload = tmp_path / "partner.csv"
    upload.write_text(f"md5,category\n{'c' * 32},uk:B\n{'d' * 32},uk:C\n")
    site.go("/lists")
    site.driver.find_element(By.ID, "list-file").send_keys(str(upload))
    site.driver.find_element(By.ID, "list-name").send_keys("partner")
    site.driver.find_element(By.ID, "import").click()
    row = site.wait().until(
        ec.presence_of_element_located((By.CSS_SELECTOR, '#lists tr[data-list="partner"]'))
    )
    assert "2" in row.text and "enabled" in row.text
    row.find_element(By.LINK_TEXT, "partner").click()
    site.wait().until(ec.presence_of_element_located((By.ID, "list-facts")))
    site.driver.find_element(By.LINK_TEXT, "with known").click()
    figures = site.wait().until(ec.presence_of_element_located((By.ID, "diff")))
    assert figures.find_element(By.CSS_SELECTOR, '[data-figure="only_a"]').text == "2"
    # A second version: c moves from B to A, d is gone, e is new.
    upload.write_text(f"md5,category\n{'c' * 32},uk:A\n{'e' * 32},uk:C\n")
    site.go("/lists")
    site.driver.find_element(By.ID, "list-file").send_keys(str(upload))
    site.driver.find_element(By.ID, "list-name").send_keys("partner")
    form = site.driver.find_element(By.ID, "import-list")
    site.driver.find_element(By.ID, "import").click()
    _until(site).until(gone(form))  # imported: the page reloads
    site.go("/lists/partner")
    assert len(site.driver.find_elements(By.CSS_SELECTOR, "#versions tr[data-generation]")) == 2
    site.driver.find_element(By.ID, "all-versions").click()
    site.wait().until(ec.presence_of_element_located((By.CSS_SELECTOR, "#versions[data-rows]")))
    site.driver.find_element(By.CSS_SELECTOR, "#versions th a[aria-sort]").click()  # by #
    generations = [
        int(r.get_attribute("data-generation") or 0)
        for r in site.driver.find_elements(By.CSS_SELECTOR, "#versions tr[data-generation]")
    ]
    assert len(generations) == 2 and generations == sorted(generations)
    site.go("/lists/partner")
    site.driver.find_element(By.LINK_TEXT, "what it changed").click()
    counts = site.wait().until(ec.presence_of_element_located((By.ID, "changes-figures")))
    assert [
        counts.find_element(By.CSS_SELECTOR, f'[data-figure="{k}"]').text
        for k in ("added", "removed", "changed")
    ] == ["1", "1", "1"]
    changed = site.driver.find_element(By.CSS_SELECTOR, '#changes tr[data-change="changed"]')
    assert "uk:B" in changed.text and "uk:A" in changed.text
    twin = site.driver.find_element(By.CSS_SELECTOR, "a.twin").get_attribute("href") or ""
    assert "/api/v1/lists/partner/changes?from=" in twin
    site.shot("list-changes")
    site.go("/lists")
    site.driver.find_element(
        By.CSS_SELECTOR, '#lists tr[data-list="partner"] button.toggle'
    ).click()
    _until(site).until(
        lambda d: (
            "disabled" in d.find_element(By.CSS_SELECTOR, '#lists tr[data-list="partner"]').text
        )
    )
    site.go("/lists/conflicts")
    assert site.driver.find_elements(By.CSS_SELECTOR, "#conflicts form.vote")
