"""Series and victims as a ``Principal`` sees and changes them.

A principal with ``cases:read`` sees every series the node knows with how many victims are
recorded in it and how far they are (unidentified, identified, safeguarded), its own
agency's victims by pseudonym, and of other agencies' victims only the status and the
agency's card (as a case's links show them). Recording a victim and moving one on need
``cases:write``; ``victims`` audits each change with its before and after.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from interlink.adapters.sql.series_views import SeriesViews
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Victim, VictimStatus
from interlink.domain.errors import InvalidFieldError
from interlink.domain.principal import Capability, Principal
from interlink.linking.deconfliction import agency_card
from interlink.services import victims
from interlink.services.casefile import agency_of, audit_read, case_of

STATUSES = tuple(s.value for s in VictimStatus)


def _victim_row(victim: Victim, cases: dict[Any, str]) -> dict[str, Any]:
    return {
        "pseudonym": victim.pseudonym,
        "status": victim.status.value,
        "identified": victim.status is not VictimStatus.UNIDENTIFIED,
        "case": cases.get(victim.case_id) if victim.case_id else None,
        "series": list(victim.series),
        "created_at": victim.created_at.isoformat() if victim.created_at else None,
    }


def series_list(store: SqlStore, principal: Principal) -> list[dict[str, Any]]:
    """Every series with its victims' statuses, as :func:`series_page` (audited)."""
    return series_page(store, principal, after=None, limit=None)[0]


def series_page(
    store: SqlStore, principal: Principal, *, after: str | None, limit: int | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` (``None``: every) series by key (the name as compared) after
    ``after``, each with its victims' statuses (own agency's by pseudonym; others' as status
    and agency card), and the key to go on after (``None``: the last); the store's query
    cuts the page (audited)."""
    principal.require(Capability.CASES_READ)
    views = SeriesViews(store.engine)
    known = views.all(after=after, limit=None if limit is None else limit + 1)
    more = limit is not None and len(known) > limit
    known = known[:limit]
    found = store.casework.victims(series_keys=[s.key for s in known]) if known else []
    agencies = {a.id: a for a in store.cases.agencies()}
    rows = []
    for record in known:
        shown = [v for v in found if record.name in v.series]
        counts = Counter(v.status.value for v in shown)
        rows.append(
            {
                "series": record.name,
                "created_at": record.created_at.isoformat() if record.created_at else None,
                "victims": len(shown),
                **{status: counts.get(status, 0) for status in STATUSES},
                "identified_status": _overall(shown),
                "yours": [v.pseudonym for v in shown if v.agency_id == principal.agency_id],
                "others": [
                    {"status": v.status.value, "agency": agency_card(agencies[v.agency_id])}
                    for v in shown
                    if v.agency_id != principal.agency_id and v.agency_id in agencies
                ],
            }
        )
    audit_read(store, principal, "series.list", "agency", str(principal.agency_id))
    return rows, (known[-1].key if more and known else None)


def _overall(shown: Sequence[Victim]) -> str:
    if not shown:
        return "no victim recorded"
    if all(v.status is VictimStatus.SAFEGUARDED for v in shown):
        return "all safeguarded"
    if all(v.status is not VictimStatus.UNIDENTIFIED for v in shown):
        return "all identified"
    if any(v.status is not VictimStatus.UNIDENTIFIED for v in shown):
        return "some identified"
    return "none identified"


def victim_list(store: SqlStore, principal: Principal) -> list[dict[str, Any]]:
    """The principal's agency's victims by pseudonym (audited)."""
    return victim_page(store, principal, after=None, limit=None)[0]


def victim_page(
    store: SqlStore, principal: Principal, *, after: str | None, limit: int | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` (``None``: every) of the principal's agency's victims by pseudonym
    (unique in an agency) after ``after``, and the pseudonym to go on after (``None``: the
    last); the store's query cuts the page (audited)."""
    principal.require(Capability.CASES_READ)
    wanted = None if limit is None else limit + 1
    found = store.casework.victims(agency_id=principal.agency_id, after=after, limit=wanted)
    more = limit is not None and len(found) > limit
    found = found[:limit]
    cases = store.cases.by_ids(v.case_id for v in found if v.case_id)
    names = {ident: case.name for ident, case in cases.items()}
    audit_read(store, principal, "victim.list", "agency", str(principal.agency_id))
    return [_victim_row(v, names) for v in found], (found[-1].pseudonym if more else None)


def _pseudonym(text: str) -> str:
    value = text.strip()
    if not value or len(value) > 200:
        raise InvalidFieldError("pseudonym", text[:80], "1 to 200 characters")
    return value


def add_victim(
    store: SqlStore,
    principal: Principal,
    pseudonym: str,
    *,
    case: str | None = None,
    series: Sequence[str] = (),
) -> dict[str, Any]:
    """Record an unidentified victim of the principal's agency (audited)."""
    principal.require(Capability.CASES_WRITE)
    named = case.strip() if case and case.strip() else None
    if named is not None:
        case_of(store, principal, named, Capability.CASES_WRITE)  # another agency's: not found
    for name in series:
        if len(name.strip()) > 200:
            raise InvalidFieldError("series", name[:80], "at most 200 characters")
    made = victims.add_victim(
        store,
        _pseudonym(pseudonym),
        agency_of(store, principal),
        case=named,
        series=series,
        actor=principal.actor,
    )
    return _victim_row(made, {made.case_id: named} if named and made.case_id else {})


def advance_victim(
    store: SqlStore, principal: Principal, pseudonym: str, status: VictimStatus
) -> dict[str, Any]:
    """Move a victim of the principal's agency one step on (audited before/after)."""
    principal.require(Capability.CASES_WRITE)
    moved = victims.advance_victim(
        store, _pseudonym(pseudonym), status, agency_of(store, principal), actor=principal.actor
    )
    cases = store.cases.by_ids([moved.case_id] if moved.case_id else [])
    return _victim_row(moved, {i: c.name for i, c in cases.items()})
