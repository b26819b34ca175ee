"""Every page in a real browser at 1280x800, in the light and the dark scheme: nothing wider
than the window, every image drawn blurred and greyscale, the dark scheme followed when the
system asks for it. The pages are those of the router table (``test_page_habits``), each
opened with the authorisation matrix's sample request; a screenshot of each is saved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By

from interlink.domain.principal import Role
from interlink.services import accounts
from tests.api.node import build_node, operator
from tests.api.test_matrix import SAMPLES
from tests.web.browser import chromium, require_browser, serving
from tests.web.test_browser import PASSWORD, Site
from tests.web.test_page_habits import page_routes

EVERY_ROLE = frozenset(set(Role) - {Role.NODE_ADMIN})
#: The page's background as the browser computed it: its mean of red, green and blue.
LIGHTNESS = (
    "const c = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);"
    "return (c[0] + c[1] + c[2]) / 3;"
)
#: What a table is: a full list, a capped preview of one, or a fixed summary.
KINDS = ("data-rows", "data-preview", "data-fixed")
OVERFLOW = "return document.documentElement.scrollWidth - window.innerWidth;"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_browser()
    tmp = tmp_path_factory.mktemp("layout")
    node = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    made = accounts.add_user(
        node.store,
        operator(node.store),
        "alpha-all",
        agency="alpha",
        roles=EVERY_ROLE,
        password=PASSWORD,
    )
    assert made.totp_secret is not None
    shots = tmp / "screenshots"
    shots.mkdir()
    with serving(node.app) as base, chromium(tmp / "profile") as driver:
        site = Site(node, base, driver, {"alpha-all": made.totp_secret}, shots)
        site.login("alpha-all")
        yield site
    node.store.close()


def _pages(site: Site) -> list[tuple[str, str]]:
    """(route path, sample URL) of every page."""
    return [
        (route.path, SAMPLES[("GET", route.path)](site.node, "alpha", "alpha-all")[0])
        for route in page_routes()
    ]


def _scheme(site: Site, scheme: str) -> None:
    site.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def _name(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("{", "").replace("}", "") or "root"


def test_every_page_fits_1280_by_800_with_every_image_blurred(site: Site) -> None:
    _scheme(site, "light")
    assert site.driver.execute_script("return [window.innerWidth, window.innerHeight]") == [
        1280,
        800,
    ]
    wrong = []
    for path, url in _pages(site):
        site.go(url)
        if site.driver.find_element(By.TAG_NAME, "h1").text in ("Not found", "Not allowed"):
            wrong.append(f"{path}: not shown to a user of every role")
            continue
        overflow = site.driver.execute_script(OVERFLOW)
        if overflow > 0:
            wrong.append(f"{path}: {overflow}px wider than the window")
        for image in site.driver.find_elements(By.TAG_NAME, "img"):
            drawn = image.value_of_css_property("filter")
            if "blur" not in drawn or "grayscale" not in drawn:
                wrong.append(f"{path}: an image drawn with {drawn!r}")
        if site.driver.execute_script(LIGHTNESS) < 200:
            wrong.append(f"{path}: dark in the light scheme")
        site.shot(f"page-{_name(path)}")
    assert not wrong, "\n".join(wrong)


def test_every_page_follows_the_dark_scheme(site: Site) -> None:
    _scheme(site, "dark")
    wrong = []
    try:
        for path, url in _pages(site):
            site.go(url)
            lightness = site.driver.execute_script(LIGHTNESS)
            if lightness > 60:
                wrong.append(f"{path}: background lightness {lightness} in the dark scheme")
            site.shot(f"page-dark-{_name(path)}")
    finally:
        _scheme(site, "light")
    assert not wrong, "\n".join(wrong)


def test_every_preview_leads_to_a_full_list_that_sorts_filters_and_pages(site: Site) -> None:
    """A capped table (``data-preview``) links its full list (``data-full``): followed in the
    browser, the link opens a page whose list has sort links in its head, a filter and a
    pager; every other table is a list itself or a fixed summary."""
    _scheme(site, "light")
    wrong, previews = [], []
    for path, url in _pages(site):
        site.go(url)
        for shown in site.driver.find_elements(By.TAG_NAME, "table"):
            kind = {
                a
                for a in ("data-rows", "data-preview", "data-fixed")
                if shown.get_attribute(a) is not None
            }
            if len(kind) != 1:
                wrong.append(f"{path}: table {shown.get_attribute('id')!r} is {sorted(kind)}")
            if kind == {"data-preview"}:
                name = shown.get_attribute("id") or ""
                links = [
                    a.get_attribute("href") or ""
                    for a in site.driver.find_elements(By.CSS_SELECTOR, "a[data-full]")
                    if name in (a.get_dom_attribute("data-full") or "").split()
                ]
                previews += [(f"{path} #{name}", href) for href in links[:1]]
                if not links:
                    wrong.append(f"{path}: preview #{name} links no full list")
    assert len(previews) >= 5, "too few previews for this test to mean anything"
    for where, href in previews:
        site.driver.get(href)
        full = site.driver.find_elements(By.CSS_SELECTOR, "table[data-rows]")
        if len(full) != 1:
            wrong.append(f"{where}: {href} shows {len(full)} full lists")
            continue
        for css, what in (("thead a[aria-sort]", "sort links"),):
            if not full[0].find_elements(By.CSS_SELECTOR, css):
                wrong.append(f"{where}: {href}'s list has no {what}")
        for css, what in (('form[role="search"]', "filter"), ("nav.pager", "pager")):
            if not site.driver.find_elements(By.CSS_SELECTOR, css):
                wrong.append(f"{where}: {href} has no {what}")
    assert not wrong, "\n".join(wrong)


def test_times_are_in_the_users_time_zone_with_utc_on_hover(site: Site) -> None:
    site.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Asia/Tokyo"})
    try:
        site.go("/audit")
        times = site.driver.find_elements(By.CSS_SELECTOR, "#audit time[datetime]")
        assert times
        for shown in times[:5]:
            utc = shown.get_attribute("title") or ""
            assert utc.endswith(" UTC") and shown.text and shown.text != utc
            assert "GMT+9" in shown.text or "JST" in shown.text, shown.text
    finally:
        site.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "UTC"})
