"""Watch hits a page at a time: one row per watch, hitting case and side, cut and scoped by
the store's query, whole while hits are added between page reads."""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency, Identifier, IdentifierKind
from interlink.linking.deconfliction import TriggerKind
from interlink.services import cases, watches
from tests.services.paging import walk_while_adding


def _hit(store: SqlStore, agency: Agency, case: str, email: str) -> None:
    if case not in {c.name for c in store.cases.all(agency.id)}:
        cases.open_case(store, case, agency, actor="t")
    cases.add_identifier(store, case, Identifier(IdentifierKind.EMAIL, email), agency, actor="t")


def test_hit_pages_are_cut_and_scoped_in_the_query_and_whole_while_hits_are_added(
    store: SqlStore,
) -> None:
    nl = cases.acting_agency(store, "NL", "NL", actor="t")
    de = cases.acting_agency(store, "DE", "DE", actor="t")
    fr = cases.acting_agency(store, "FR", "FR", actor="t")
    mails = [f"m{n}@example.org" for n in range(3)]
    triggers = [watches.TriggerSpec(TriggerKind.EMAIL, m) for m in mails]
    watches.add_watch(store, nl, triggers, title="NL's", actor="t")
    watches.add_watch(store, de, triggers[:1], title="DE's", actor="t")
    for n in range(5):
        _hit(store, de, f"DE-{n}", mails[0])  # DE's cases hit NL's watch (and their own not)
    _hit(store, nl, "NL-0", mails[0])  # NL's case hits DE's watch

    def read(agency: Agency, case: Any = None) -> Any:
        def page(after: Any) -> tuple[list[dict[str, Any]], Any]:
            return watches.hit_page(store, agency, case, after=after, limit=2)

        return page

    added: list[int] = []

    def between(page: int) -> None:  # a hit on a group already read, and a new group
        added.append(page)
        _hit(store, de, f"DE-{min(page, 5) - 1}", mails[1])
        _hit(store, de, f"DE-new-{page}", mails[2])

    # A row's key (its group's first hit) is not in the row: (first_at, side, watch) names it.
    keys = walk_while_adding(
        read(nl), 2, lambda r: (r["first_at"], r["side"], r["alert"]), between, ordered=False
    )
    whole = watches.hit_views(store, nl)  # every group now, each once
    assert sorted((v["first_at"], v["side"], v["alert"]) for v in whole) == sorted(keys)
    assert sum(v["side"] == "owner" and v["agency"]["name"] == "DE" for v in whole) == 5 + len(
        added
    )
    assert {v["items"] for v in whole if v["side"] == "owner"} == {1, 2}
    assert watches.hit_page(store, fr, None, after=None, limit=2) == ([], None)
    own = store.cases.get("NL-0")
    rows, after = watches.hit_page(store, nl, own, after=None, limit=5)
    assert rows == watches.hit_views(store, nl, own) and after is None
    assert {r["side"] for r in rows} == {"hitter"} and len(rows) == 2  # DE's watch and NL's
    de_rows = walk_while_adding(read(de), 2, lambda r: r, lambda _: None, ordered=False)
    assert sorted(map(repr, de_rows)) == sorted(map(repr, watches.hit_views(store, de)))
