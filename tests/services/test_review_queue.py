"""The review queue as an investigator reads it: the agency's own category vote on an item is
a grade shown as such, not a known-list match (the item stays new, unfolded); another
agency's vote on it, like an imported list, makes it known."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import encode, scene
from interlink.domain.principal import Principal, Role
from interlink.services import grading, review_queue
from interlink.services.cases import acting_agency
from interlink.services.lists import import_list
from interlink.services.scan import ScanOptions, scan_exhibit
from tests.api.node import CASES, Node, build_node, operator
from tests.services.paging import walk_while_adding


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("review-votes")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def _item(node: Node) -> dict[str, Any]:
    client = node.client(node.tokens[("alpha", Role.EXAMINER)])
    answer = client.get(f"/api/v1/cases/{CASES['alpha']}/media/{node.media['alpha']}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _queued(node: Node) -> dict[str, Any]:
    client = node.client(node.tokens[("alpha", Role.EXAMINER)])
    rows = client.get(f"/api/v1/cases/{CASES['alpha']}/review?limit=1000").json()["items"]
    return next(r for r in rows if r["sha256"] == node.media["alpha"])


def test_the_agencys_own_vote_is_a_grade_and_another_agencys_makes_it_known(
    node: Node,
) -> None:
    assert _item(node)["known"] is False
    examiner = node.client(node.tokens[("alpha", Role.EXAMINER)])
    url = f"/api/v1/cases/{CASES['alpha']}/media/{node.media['alpha']}/votes"
    assert examiner.post(url, json={"category": "uk:B"}).status_code == 200
    voted = _item(node)
    assert voted["known"] is False and voted["your_votes"] == ["uk:B"]
    assert [(m["list"], m["own_vote"]) for m in voted["matches"]] == [("grades-alpha", True)]
    assert _queued(node)["known"] is False  # still with the new media, not folded as known
    grading.vote_item(
        node.store,
        operator(node.store, "beta"),
        "sha256",
        node.media["alpha"],
        "uk:B",
        trusted_votes=3,
    )
    seen_elsewhere = _item(node)
    assert seen_elsewhere["known"] is True and seen_elsewhere["your_votes"] == ["uk:B"]
    assert {(m["list"], m["own_vote"]) for m in seen_elsewhere["matches"]} == {
        ("grades-alpha", True),
        ("grades-beta", False),
    }
    assert _queued(node)["known"] is True


def test_review_pages_are_cut_in_queue_order_by_the_query_while_media_arrive(
    store: SqlStore, tmp_path: Path
) -> None:
    agency = acting_agency(store, "alpha", actor="t")
    who = Principal.local(agency.id, agency.name, "t")

    def scan(folder: str, seeds: range) -> list[str]:
        root = tmp_path / folder
        root.mkdir()
        shas = []
        for n in seeds:
            data = encode(scene(n, (64, 48)))
            (root / f"{n:02d}.jpg").write_bytes(data)
            shas.append(hashlib.sha256(data).hexdigest())
        options = ScanOptions(workers=0)
        scan_exhibit(store, root, case="C", options=options, actor="t", agency=agency)
        return shas

    shas = scan("first", range(1, 8))
    listing = tmp_path / "known.csv"  # three known: two in series Blue, one in none
    listing.write_text(f"sha256,series\n{shas[0]},Blue\n{shas[1]},Blue\n{shas[2]},\n")
    import_list(store, listing, name="known")
    review_queue.mark_reviewed(store, who, "C", shas[3], reviewed=True)
    before = {r["sha256"] for r in review_queue.review_queue(store, who, "C")}

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        return review_queue.review_page(store, who, "C", state=None, after=after, limit=2)

    def between(page: int) -> None:
        # New, unknown media: ahead of the cursor after page 1 (the cursor is among the new
        # unknown ones), behind it after page 4 (it is among the known ones by then).
        if page in (1, 4):
            scan(f"more{page}", range(20 + page * 2, 22 + page * 2))

    keys = walk_while_adding(read, 2, review_queue.queue_order, between)
    whole = review_queue.review_queue(store, who, "C")
    order = [review_queue.queue_order(r) for r in whole]
    assert [k for k in order if k in set(keys)] == keys  # the query's order is the queue's
    walked = {k.rsplit("\x00", 1)[1] for k in keys}
    assert before <= walked  # every media there from the start, once (the helper: once)
    assert len(before) < len(walked) < len(whole)  # arrivals ahead seen, behind not
    assert [(r["reviewed"], r["known"], r["series"]) for r in whole[-4:]] == [
        (False, True, []),
        (False, True, ["Blue"]),
        (False, True, ["Blue"]),
        (True, False, []),
    ]
    new, after = review_queue.review_page(store, who, "C", state="new", after=None, limit=100)
    assert (
        after is None and shas[3] not in {r["sha256"] for r in new} and len(new) == len(whole) - 1
    )
    done, _ = review_queue.review_page(store, who, "C", state="reviewed", after=None, limit=100)
    assert [r["sha256"] for r in done] == [shas[3]]
