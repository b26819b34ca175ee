"""Grading: an agency's category vote on an item (a media of one of its cases, or an item a
list names by an identifying hash) under a scheme, and the trusted grade the votes give.

A vote is a list entry. Each agency's votes live in its own list, ``grades-<agency>``, one
entry per item and scheme, vouched for by the agency; voting again replaces that entry and
withdrawing deletes it. So the votes of graders and of imported lists are counted by the same
code (``list_views``): an item's category is *trusted* once ``trusted_votes`` distinct
agencies give it, and the case report, list statistics and conflicts see the new vote at once
(the voted media's match is recorded with the entry). Every vote and withdrawal is audited
with the agency's vote before and after.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from interlink.adapters.sql.grades import GradeViews
from interlink.adapters.sql.list_views import IDENTIFYING
from interlink.adapters.sql.store import SqlStore
from interlink.domain.categories import SCHEMES, Category, known_scheme
from interlink.domain.errors import InvalidFieldError, NotFoundError
from interlink.domain.lists import GRADES_PREFIX, HashList, ListEntry
from interlink.domain.principal import Capability, Principal
from interlink.domain.scan import EntryMatch
from interlink.domain.signals import Signal
from interlink.services.casefile import audit_read, case_of
from interlink.signals import pdq

_HEX = {"md5": 32, "sha1": 40, "sha256": 64}


def grades_list(agency: str) -> str:
    """The name of the list of ``agency``'s votes."""
    return f"{GRADES_PREFIX}{agency}"


def categories() -> list[dict[str, str]]:
    """Every category a vote may give, by scheme (for forms)."""
    return [
        {"category": f"{scheme}:{code}", "scheme": scheme, "label": label}
        for scheme, codes in SCHEMES.items()
        for code, label in codes.items()
    ]


def item_key(signal_type: str, value: str) -> tuple[str, str]:
    """An identifying hash as ``(type, value)``; ``InvalidFieldError`` naming ``signal`` or
    ``value`` when it is not an MD5, SHA-1 or SHA-256 in hex."""
    kind = signal_type.strip().lower()
    if kind not in _HEX:
        raise InvalidFieldError("signal", signal_type, f"one of {', '.join(IDENTIFYING)}")
    text = value.strip().lower()
    if len(text) != _HEX[kind] or any(c not in "0123456789abcdef" for c in text):
        raise InvalidFieldError("value", value[:80], f"a {kind} in hex ({_HEX[kind]} digits)")
    return kind, text


def _item_signals(store: SqlStore, kind: str, value: str) -> dict[str, str]:
    """Every identifying hash known of the item: the stored media's, else only the one."""
    found = GradeViews(store.engine).media_hashes(kind, value)
    if not found:
        return {kind: value}
    sha256, md5, sha1 = found[0]
    return {"md5": md5, "sha1": sha1, "sha256": sha256}


def grading(
    store: SqlStore, principal: Principal, signals: dict[str, str], trusted_votes: int
) -> dict[str, Any]:
    """The votes the enabled lists give an item, per category: how many agencies, whether
    that makes the category trusted, and whether the caller's agency gave it. The voting
    agencies' names are shown to principals that may vote on lists (``votes``)."""
    rows = GradeViews(store.engine).votes(signals.items())
    agencies: dict[Category, set[str]] = defaultdict(set)
    lists: dict[Category, set[str]] = defaultdict(set)
    own = grades_list(principal.agency)
    mine: list[str] = []
    for row in rows:
        agencies[row.category].add(row.agency)
        lists[row.category].add(row.list_name)
        if row.list_name == own:
            mine.append(row.category.display())
    names = principal.can(Capability.VOTES)
    votes = [
        {
            "category": c.display(),
            "scheme": c.scheme,
            "label": c.label,
            "agencies": len(a),
            "agency_names": sorted(a) if names else None,
            "lists": sorted(lists[c]) if names else None,
            "trusted": len(a) >= trusted_votes,
            "yours": c.display() in mine,
        }
        for c, a in sorted(agencies.items())
    ]
    schemes = [c.scheme for c in agencies]
    return {
        "signals": dict(sorted(signals.items())),
        "votes": votes,
        "trusted_grade": [v["category"] for v in votes if v["trusted"]],
        "conflict": len(schemes) != len(set(schemes)),
        "your_votes": sorted(mine),
        "trusted_votes": trusted_votes,
    }


def _media_signals(
    store: SqlStore, principal: Principal, case: str, sha256: str
) -> tuple[str, dict[str, str]]:
    record = case_of(store, principal, case, Capability.MEDIA_BLURRED)
    value = sha256.strip().lower()
    if value not in store.links.case_media(record.id):
        raise NotFoundError("media", sha256)
    return str(record.id), _item_signals(store, "sha256", value)


def media_grading(
    store: SqlStore, principal: Principal, case: str, sha256: str, *, trusted_votes: int
) -> dict[str, Any]:
    """The grading of a media of an own case (audited as a read of case data)."""
    case_id, signals = _media_signals(store, principal, case, sha256)
    found = grading(store, principal, signals, trusted_votes)
    audit_read(
        store, principal, "media.grading.read", "case", case_id, {"sha256": signals["sha256"]}
    )
    return found


def vote_media(
    store: SqlStore,
    principal: Principal,
    case: str,
    sha256: str,
    category: str,
    *,
    trusted_votes: int,
) -> dict[str, Any]:
    """The caller's agency's vote (``grading``) for a media of an own case: ``category``
    (``scheme:code``) replaces its earlier vote under that scheme. Audited before/after."""
    principal.require(Capability.GRADING)
    _, signals = _media_signals(store, principal, case, sha256)
    _vote(store, principal, signals, _category(category))
    return grading(store, principal, signals, trusted_votes)


def vote_item(
    store: SqlStore,
    principal: Principal,
    signal_type: str,
    value: str,
    category: str,
    *,
    trusted_votes: int,
) -> dict[str, Any]:
    """The caller's agency's vote (``votes``) for the item a list names by an identifying
    hash. Audited before/after."""
    principal.require(Capability.VOTES)
    kind, text = item_key(signal_type, value)
    signals = _item_signals(store, kind, text)
    _vote(store, principal, signals, _category(category))
    return grading(store, principal, signals, trusted_votes)


def item_grading(
    store: SqlStore, principal: Principal, signal_type: str, value: str, *, trusted_votes: int
) -> dict[str, Any]:
    """The grading of an item a list names (``votes``; audited as a list read)."""
    principal.require(Capability.VOTES)
    kind, text = item_key(signal_type, value)
    found = grading(store, principal, _item_signals(store, kind, text), trusted_votes)
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=principal.actor,
            action="list.grading.read",
            object_type="item",
            object_id=f"{kind}:{text}",
        )
    return found


def withdraw_media_vote(
    store: SqlStore,
    principal: Principal,
    case: str,
    sha256: str,
    scheme: str,
    *,
    trusted_votes: int,
) -> dict[str, Any]:
    """Withdraw the caller's agency's vote under ``scheme`` for a media of an own case
    (audited before/after); ``NotFoundError`` when it has none."""
    principal.require(Capability.GRADING)
    _, signals = _media_signals(store, principal, case, sha256)
    _withdraw(store, principal, signals, known_scheme(scheme))
    return grading(store, principal, signals, trusted_votes)


def withdraw_item_vote(
    store: SqlStore,
    principal: Principal,
    signal_type: str,
    value: str,
    scheme: str,
    *,
    trusted_votes: int,
) -> dict[str, Any]:
    """Withdraw the caller's agency's vote under ``scheme`` for a listed item."""
    principal.require(Capability.VOTES)
    kind, text = item_key(signal_type, value)
    signals = _item_signals(store, kind, text)
    _withdraw(store, principal, signals, known_scheme(scheme))
    return grading(store, principal, signals, trusted_votes)


def _category(text: str) -> Category:
    try:
        return Category.parse(text)
    except ValueError as exc:
        raise InvalidFieldError("category", text[:80], str(exc)) from None


def _subject(signals: dict[str, str]) -> tuple[str, str]:
    kind = next(k for k in ("sha256", "sha1", "md5") if k in signals)
    return kind, signals[kind]


def _vote_list(tx: Connection, store: SqlStore, agency: str) -> int:
    name = grades_list(agency)
    list_id = store.lists.find(tx, name)
    if list_id is None:
        record = HashList(name, "grading", "", datetime.now(UTC))
        list_id = store.lists.create(tx, record, fmt="grading", pdq_threshold=pdq.THRESHOLD)
    return list_id


def _vote(
    store: SqlStore, principal: Principal, signals: dict[str, str], category: Category
) -> None:
    kind, value = _subject(signals)
    external = f"{kind}:{value}/{category.scheme}"
    entry = ListEntry(
        signals=tuple(Signal(t, v) for t, v in sorted(signals.items())),
        category=category,
        external_id=external,
        extra=(("agency", principal.agency), ("voter", principal.actor)),
    )
    views = GradeViews(store.engine)
    with store.transaction() as tx:
        list_id = _vote_list(tx, store, principal.agency)
        before = views.entry(tx, list_id, f"id:{external}")
        generation = store.lists.begin_import(tx, list_id)
        store.lists.sync(tx, list_id, generation, [entry], agency=principal.agency)
        stored = views.entry(tx, list_id, f"id:{external}")
        assert stored is not None
        matched = [
            (sha256, EntryMatch(stored[0], list_id, kind, 0))
            for sha256, _, _ in views.media_hashes(kind, value)
        ]
        store.media.add_matches(tx, matched)
        store.lists.touch(tx, list_id, source="grading", version=f"vote {generation}")
        store.audit.append(
            tx,
            actor=principal.actor,
            action="grade.vote",
            object_type="item",
            object_id=f"{kind}:{value}",
            before={"category": before[1].display() if before and before[1] else None},
            after={"category": category.display(), "list": grades_list(principal.agency)},
        )


def _withdraw(store: SqlStore, principal: Principal, signals: dict[str, str], scheme: str) -> None:
    kind, value = _subject(signals)
    key = f"id:{kind}:{value}/{scheme}"
    views = GradeViews(store.engine)
    with store.transaction() as tx:
        list_id = store.lists.find(tx, grades_list(principal.agency))
        before = views.entry(tx, list_id, key) if list_id is not None else None
        if list_id is None or before is None:
            raise NotFoundError("vote", f"{kind}:{value} under {scheme}")
        store.lists.begin_import(tx, list_id)
        store.lists.withdraw(tx, list_id, [key])
        store.audit.append(
            tx,
            actor=principal.actor,
            action="grade.withdraw",
            object_type="item",
            object_id=f"{kind}:{value}",
            before={"category": before[1].display() if before[1] else None},
            after={"category": None, "list": grades_list(principal.agency)},
        )
