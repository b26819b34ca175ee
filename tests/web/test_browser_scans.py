"""Scans and review in a real browser: an examiner logs in with TOTP, starts a scan of a
generated exhibit from the case page and watches its progress to completion (a real worker
process runs it), marks a new item reviewed with ``r`` in the review queue, and opens the
clues page. A screenshot of each page is saved."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from interlink.adapters.jobs_local import LocalQueue
from interlink.demo.exhibit import _with_camera_exif
from interlink.demo.images import encode, scene
from interlink.domain.principal import Role
from interlink.services import accounts, jobs
from interlink.services.cases import acting_agency
from tests.api.node import CASES, Node, build_node, operator
from tests.web.browser import chromium, require_browser, serving
from tests.web.test_browser import PASSWORD, Site

#: Enough files that the scan runs for seconds however fast the machine (the page polls
#: each second).
FILES = 160


def _exhibit(folder: Path) -> None:
    """``FILES`` generated photos, large enough that the scan takes a few seconds."""
    folder.mkdir(parents=True)
    base = np.asarray(scene(5, size=(900, 675))).copy()
    for i in range(FILES):
        base[:8, :8] = i
        (folder / f"img{i:03d}.png").write_bytes(
            encode(Image.fromarray(base), "PNG", compress_level=1)
        )


def _prepared(node: Node, root: Path) -> None:
    """A scan job already run (as a worker would) of two photos that name a camera serial, a
    GPS position and a capture time, so each test can run alone."""
    folder = root / "prepared"
    folder.mkdir()
    for i in range(2):
        (folder / f"DSC_{i:04d}.jpg").write_bytes(
            _with_camera_exif(scene(7000 + i), serial="4403152", minute=i)
        )
    settings = node.app.state.interlink.settings
    job = jobs.submit_scan(
        node.store,
        LocalQueue(node.store),
        agency_id=acting_agency(node.store, "alpha", actor="operator").id,
        actor="operator",
        path=str(folder),
        case=CASES["alpha"],
        roots=settings.evidence_roots,
    )
    jobs.run_job(node.store, dataclasses.replace(settings, workers=0), job.id)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_browser()
    tmp = tmp_path_factory.mktemp("web-scans")
    url = f"sqlite:///{tmp / 'node.db'}"
    node = build_node(url, tmp)
    made = accounts.add_user(
        node.store,
        operator(node.store),
        "alpha-examiner-web",
        agency="alpha",
        roles=frozenset({Role.EXAMINER}),
        password=PASSWORD,
    )
    assert made.totp_secret is not None
    _exhibit(tmp / "seized")
    _prepared(node, tmp)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "INTERLINK_DB": url,
        "INTERLINK_HOME": str(tmp / "home"),
        "INTERLINK_EVIDENCE_ROOTS": str(tmp),
        "INTERLINK_WORKERS": "1",
    }
    log = tmp / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "interlink", "worker"],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    shots = tmp / "screenshots"
    shots.mkdir()
    try:
        with serving(node.app) as base, chromium(tmp / "profile") as driver:
            yield Site(node, base, driver, {"alpha-examiner-web": made.totp_secret}, shots)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        node.store.close()


def _state(site: Site) -> tuple[str, int, int]:
    row = site.driver.find_element(By.CSS_SELECTOR, "#jobs tbody tr[data-job]")
    bar = row.find_element(By.TAG_NAME, "progress")
    return (
        row.get_attribute("data-state") or "",
        int(float(bar.get_attribute("value") or 0)),
        int(float(bar.get_attribute("max") or 0)),
    )


def test_an_examiner_starts_a_scan_and_watches_it_finish(site: Site) -> None:
    site.login("alpha-examiner-web")
    site.go(f"/cases/{CASES['alpha']}")
    root = site.node.app.state.interlink.settings.evidence_roots[0]
    before = len(site.driver.find_elements(By.CSS_SELECTOR, "#jobs tr[data-job]"))
    site.driver.find_element(By.ID, "scan-path").send_keys(str(root / "../seized"))
    site.driver.find_element(By.ID, "start-scan").click()
    error = site.driver.find_element(By.ID, "scan-error")
    site.wait().until(lambda d: error.is_displayed())
    assert "'..'" in error.text  # refused, and nothing queued
    assert len(site.driver.find_elements(By.CSS_SELECTOR, "#jobs tr[data-job]")) == before
    path = site.driver.find_element(By.ID, "scan-path")
    path.clear()
    path.send_keys(str(root / "seized"))
    site.driver.find_element(By.ID, "scan-exhibit").send_keys("seized-laptop")
    site.driver.find_element(By.ID, "start-scan").click()
    site.wait().until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#jobs tr[data-job]")) == before + 1
    )
    seen: set[tuple[str, int, int]] = set()

    def moving(_driver: object) -> bool:
        now = _state(site)
        seen.add(now)
        return now[0] == "running" and now[1] > 0

    # The page follows the job by itself: its progress moves without a reload (rows are
    # replaced at each poll, and the page reloads once the job is done).
    following = WebDriverWait(
        site.driver, 180, ignored_exceptions=(StaleElementReferenceException,)
    )
    following.until(moving)
    site.driver.execute_script("document.getElementById('scans').scrollIntoView()")
    site.shot("case-scan-progress")
    # The page redraws the exhibits and jobs as the scan ends: an element read while it is
    # replaced is stale, and the wait reads it again.
    following.until(lambda d: "seized-laptop" in d.find_element(By.ID, "exhibits").text)
    state, done, total = following.until(lambda _d: _state(site))
    assert (state, done, total) == ("done", FILES, FILES)
    assert any(s[0] == "running" and 0 < s[1] < FILES for s in seen)
    site.driver.execute_script("document.getElementById('scans').scrollIntoView()")
    site.shot("case-scan-done")


def test_r_marks_a_new_item_reviewed_and_it_is_stored(site: Site) -> None:
    site.login("alpha-examiner-web")
    site.go(f"/cases/{CASES['alpha']}/review")
    first = site.driver.find_element(By.CSS_SELECTOR, "#queue > li.item")
    assert first.get_attribute("data-reviewed") == ""
    sha = first.get_attribute("data-sha")
    for image in site.driver.find_elements(By.TAG_NAME, "img"):
        assert "blur" in image.value_of_css_property("filter")
        assert "grayscale" in image.value_of_css_property("filter")
    count = int(site.driver.find_element(By.CSS_SELECTOR, "#new-count strong").text)
    keys = ActionChains(site.driver)
    keys.send_keys("j").perform()
    keys.send_keys("r").perform()
    site.wait().until(lambda d: first.get_attribute("data-reviewed") == "yes")
    assert "reviewed" in (first.get_attribute("class") or "")
    # The selection moved on to the next item.
    second = site.driver.find_elements(By.CSS_SELECTOR, "#queue > li.item")[1]
    assert "selected" in (second.get_attribute("class") or "")
    assert int(site.driver.find_element(By.CSS_SELECTOR, "#new-count strong").text) == count - 1
    site.shot("review-queue")
    # Stored: after a reload the item is no longer new, and reviewed items come after every new
    # one (on a later page when the scan test has filled the case).
    site.go(f"/cases/{CASES['alpha']}/review")
    items = site.driver.find_elements(By.CSS_SELECTOR, "#queue > li.item")
    marks = [(i.get_attribute("data-sha"), i.get_attribute("data-reviewed") or "") for i in items]
    assert (sha, "") not in marks
    assert [m for _, m in marks] == sorted(m for _, m in marks)
    site.go(f"/api/v1/cases/{CASES['alpha']}/review?state=reviewed")
    reviewed = json.loads(site.driver.find_element(By.TAG_NAME, "body").text)["items"]
    assert [i["sha256"] for i in reviewed] == [sha]


def test_the_clues_page_lists_cameras_places_and_a_timeline(site: Site) -> None:
    site.login("alpha-examiner-web")
    site.go(f"/cases/{CASES['alpha']}/clues")
    assert site.driver.find_element(By.TAG_NAME, "h1").text == "Clues"
    assert "4403152" in site.driver.find_element(By.ID, "cameras").text
    assert "48.85" in site.driver.find_element(By.ID, "places").text
    assert site.driver.find_elements(By.CSS_SELECTOR, "#timeline li")
    twin = site.driver.find_element(By.CSS_SELECTOR, "a.twin").get_attribute("href") or ""
    assert twin.endswith(f"/api/v1/cases/{CASES['alpha']}/clues")
    site.shot("clues")
    site.driver.find_element(By.ID, "all-places").click()
    site.wait().until(lambda d: d.find_elements(By.CSS_SELECTOR, "#places[data-rows]"))
    assert "48.85" in site.driver.find_element(By.ID, "places").text
    site.go(f"/cases/{CASES['alpha']}/clues/places?q=nowhere")
    assert "No place matches" in site.driver.find_element(By.ID, "places").text


def test_the_jobs_page_lists_sorts_and_filters_the_agencys_jobs(site: Site) -> None:
    site.login("alpha-examiner-web")
    site.go("/jobs?sort=-submitted_at&q=prepared")
    rows = site.driver.find_elements(By.CSS_SELECTOR, "#jobs-list tbody tr[data-job]")
    assert len(rows) == 1 and "prepared" in rows[0].text
    assert "done" in rows[0].text and "2 / 2" in rows[0].text
    site.go("/jobs?q=no-such-job")
    assert not site.driver.find_elements(By.CSS_SELECTOR, "#jobs-list tbody tr[data-job]")
    twin = site.driver.find_element(By.CSS_SELECTOR, "a.twin").get_attribute("href") or ""
    assert twin.endswith("/api/v1/jobs")
    site.shot("jobs")
