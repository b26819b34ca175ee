"""The habits issue 14 asks of every page, checked on every page route of the router table
(with the authorisation matrix's sample request for it): each page links its JSON twin;
every time is written by the one ``when`` macro (a ``<time>`` the script puts in the user's
time zone, UTC on hover), never as a raw timestamp; every ``<img>`` of media carries the
blur; every list (``data-rows``) is sortable, filterable and paged by its route, and every
other table a capped preview a link from its full list or one of a few fixed summaries; no emoji
(a browser without an emoji font shows empty boxes); the system's dark mode is followed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute

from interlink.api.rules import rule_of
from interlink.domain.principal import ROLE_CAPABILITIES, Role
from interlink.web.app import PAGE_ROUTERS, STATIC
from tests.api.node import Node, build_node
from tests.api.test_matrix import SAMPLES

#: A date and time as ISO 8601 or as the server's UTC text, wherever it stands.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
#: The only way a page shows a time: the ``when`` macro's element.
WHEN = re.compile(r'<time datetime="[^"]+" title="[^"]+ UTC">[^<]*</time>')
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\ufe0f]")
LIST_PARAMETERS = {"sort", "q", "cursor"}
TABLE = re.compile(r"(<table\b[^>]*>)(.*?)</table>", re.DOTALL)
FULL_LINK = re.compile(r'<a href="([^"]+)"[^>]*\bdata-full="([^"]+)"')
#: The tables that are neither a list nor a preview of one, and why sorting, filtering and
#: paging them would help nobody: each is a fixed summary of one thing, a row per value of a
#: small closed set, read at a glance.
FIXED = {
    # A list's statistics: its entries counted per category of the grading schemes, per
    # signal kind, per vouching agency and per flag; a handful of rows each.
    "by-category": "one row per category",
    "by-signal": "one row per signal kind",
    "by-agency": "one row per vouching agency",
    "flags": "one row per flag",
    # One media's grading: a row per category voted on it (at most one per agency and scheme).
    "votes": "one row per category voted",
}


def page_routes() -> Iterator[APIRoute]:
    """Every page route that shows data (GET, not public: the login flow is left out), from
    the router table."""
    for router in PAGE_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            rule = rule_of(route.openapi_extra)
            if "GET" in (route.methods or ()) and not (rule and rule.public):
                yield route


def viewer_of(route: APIRoute) -> Role:
    """The first role (least powerful first) that may see the page."""
    rule = rule_of(route.openapi_extra)
    assert rule is not None, route.path
    return next(r for r in Role if rule.allows(ROLE_CAPABILITIES[r]))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[APIRoute, str]]]:
    """Every page as its sample request renders it: path -> (route, HTML)."""
    tmp: Path = tmp_path_factory.mktemp("habits")
    node: Node = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    rendered = {}
    for route in page_routes():
        url, _ = SAMPLES[("GET", route.path)](node, "alpha", "alpha-viewer")
        answer = node.client(node.tokens[("alpha", viewer_of(route))]).get(url)
        assert answer.status_code == 200, f"{url}: {answer.status_code} {answer.text[:300]}"
        rendered[route.path] = (route, answer.text)
    yield rendered
    node.store.close()


def _every(pages: dict[str, tuple[APIRoute, str]], wrong: list[str]) -> None:
    assert pages, "no page route found"
    assert not wrong, "\n".join(wrong)


def test_every_page_links_its_json_twin(pages: dict[str, tuple[APIRoute, str]]) -> None:
    wrong = [
        p for p, (_, html) in pages.items() if 'rel="alternate" type="application/json"' not in html
    ]
    _every(pages, wrong)


def test_every_time_is_written_by_the_when_macro(pages: dict[str, tuple[APIRoute, str]]) -> None:
    wrong = []
    for path, (_, html) in pages.items():
        for raw in TIMESTAMP.finditer(WHEN.sub("", html)):
            start = max(0, raw.start() - 80)
            wrong.append(f"{path}: raw time {html[start : raw.end() + 20]!r}")
    _every(pages, wrong)


def test_a_time_shown_is_local_with_utc_on_hover(pages: dict[str, tuple[APIRoute, str]]) -> None:
    shown = [html for _, html in pages.values() if WHEN.search(html)]
    assert len(shown) >= 5, "too few pages show a time for this test to mean anything"
    script = (STATIC / "interlink.js").read_text()
    assert 'querySelectorAll("time[datetime]")' in script and "Intl.DateTimeFormat" in script


def test_every_image_is_blurred(pages: dict[str, tuple[APIRoute, str]]) -> None:
    wrong = [
        f"{path}: {tag}"
        for path, (_, html) in pages.items()
        for tag in re.findall(r"<img\b[^>]*>", html)
        if not re.search(r'class="([^"]* )?blur( [^"]*)?"', tag)
    ]
    assert any("<img" in html for _, html in pages.values()), "no page shows an image"
    _every(pages, wrong)


def _full_list_paths(pages: dict[str, tuple[APIRoute, str]]) -> list[APIRoute]:
    return [route for route, html in pages.values() if "data-rows" in html]


def test_every_list_sorts_filters_and_pages(pages: dict[str, tuple[APIRoute, str]]) -> None:
    wrong = []
    for path, (route, html) in pages.items():
        if "data-rows" not in html:
            continue
        taken = {p.alias for p in get_flat_params(route.dependant)}
        if not LIST_PARAMETERS <= taken:
            wrong.append(
                f"{path}: a list, but the route takes {sorted(taken)}, not sort, q, cursor"
            )
        for part, name in (
            ('role="search"', "filter"),
            ("aria-sort=", "sort"),
            ('class="pager"', "pager"),
        ):
            if part not in html:
                wrong.append(f"{path}: a list without its {name}")
    _every(pages, wrong)


def test_every_table_is_a_full_list_a_preview_of_one_or_a_fixed_summary(
    pages: dict[str, tuple[APIRoute, str]],
) -> None:
    """A page's route has one sort, filter and cursor, so a page holds at most one full list
    (``data-rows``, its sort links in its own head). Any other table is a capped preview
    (``data-preview``) whose full list is a link away (``data-full`` naming the table's id,
    to a page whose list sorts, filters and pages), or one of the few fixed summaries in
    :data:`FIXED`."""
    wrong = []
    seen_fixed = set()
    lists = _full_list_paths(pages)
    for path, (_, html) in pages.items():
        tables = TABLE.findall(html)
        full = [(tag, body) for tag, body in tables if "data-rows" in tag]
        if len(full) > 1:
            wrong.append(f"{path}: {len(full)} full lists on one page (one sort, filter, cursor)")
        for tag, body in full:
            if "aria-sort=" not in body.split("</thead>")[0]:
                wrong.append(f"{path}: {tag} has no sort links in its head")
        for tag, _ in tables:
            ident = re.search(r'id="([^"]+)"', tag)
            name = ident.group(1) if ident else ""
            if "data-rows" in tag:
                continue
            if "data-fixed" in tag and name in FIXED:
                seen_fixed.add(name)
                continue
            if "data-preview" not in tag:
                wrong.append(f"{path}: {tag} neither a list, a preview nor a fixed summary")
                continue
            links = [
                href for href, names in FULL_LINK.findall(html) if name and name in names.split()
            ]
            if not links:
                wrong.append(f"{path}: preview {name!r} links no full list (data-full)")
            for href in links:
                target = urlsplit(unescape(href)).path
                if not any(route.path_regex.match(target) for route in lists):
                    wrong.append(f"{path}: preview {name!r} leads to {target}, not a full list")
    _every(pages, wrong)
    assert seen_fixed == set(FIXED), f"allowed but never seen: {set(FIXED) - seen_fixed}"


def test_no_page_draws_with_emoji(pages: dict[str, tuple[APIRoute, str]]) -> None:
    wrong = [f"{p}: {m.group()!r}" for p, (_, html) in pages.items() for m in EMOJI.finditer(html)]
    for asset in STATIC.iterdir():
        wrong += [f"{asset.name}: {m.group()!r}" for m in EMOJI.finditer(asset.read_text())]
    _every(pages, wrong)


def test_every_page_follows_the_systems_dark_mode(pages: dict[str, tuple[APIRoute, str]]) -> None:
    css = (STATIC / "interlink.css").read_text()
    assert "@media (prefers-color-scheme: dark)" in css
    wrong = [
        p
        for p, (_, html) in pages.items()
        if 'name="color-scheme" content="light dark"' not in html
    ]
    _every(pages, wrong)
