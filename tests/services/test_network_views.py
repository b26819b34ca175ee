"""The referral listing of a build: one row per country, cut by the service (the build's
referrals are computed from it, not stored row by row), never more than a page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from interlink.services import network_views
from tests.api.node import build_node, operator
from tests.services.paging import walk_while_adding


def test_referral_pages_hold_at_most_a_page_and_give_every_country_once(tmp_path: Path) -> None:
    node = build_node(f"sqlite:///{tmp_path / 'node.db'}", tmp_path)
    try:
        who = operator(node.store)

        def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
            return network_views.referral_summaries(node.store, who, after=after, limit=1)

        countries = walk_while_adding(read, 1, lambda r: r["country"], lambda _: None)
        whole = network_views.referral_list(node.store, who)
        assert len(countries) >= 2 and countries == sorted(r["country"] for r in whole)
    finally:
        node.store.close()
