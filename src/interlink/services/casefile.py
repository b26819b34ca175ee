"""An agency's case work as a ``Principal`` asks for it: the capability each use needs, the
principal's agency scope on every query, and an audit record for every read of case data.

Another agency's case is "not found" here (its name is not confirmed); other agencies'
data reaches a principal only through links, watch hits and operation figures, at the
disclosure the existing services give them (``case_links``, ``watches``, ``operations``).
"""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency, Case, CaseStatus, Identifier
from interlink.domain.errors import NotFoundError
from interlink.domain.principal import Capability, Principal
from interlink.media.thumbnails import wellness_jpeg
from interlink.services import case_links, operations, reports, watches
from interlink.services import cases as service
from interlink.services.case_list import case_list
from interlink.triage.html import render_report


def agency_of(store: SqlStore, principal: Principal) -> Agency:
    """The principal's agency record."""
    found = store.cases.agencies([principal.agency_id])
    if not found:
        raise NotFoundError("agency", principal.agency)
    return found[0]


def audit_read(
    store: SqlStore,
    principal: Principal,
    action: str,
    object_type: str,
    object_id: str,
    after: Any = None,
) -> None:
    """Append the record of a read of case data (who read what)."""
    store.audit.record(
        actor=principal.actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        after=after,
    )


def case_of(store: SqlStore, principal: Principal, name: str, need: Capability) -> Case:
    """The principal's own case ``name`` if it holds ``need``; ``NotFoundError`` for any
    case of another agency."""
    principal.require(need)
    return store.scoped_cases.case(principal.scope, name)


def figures(store: SqlStore, principal: Principal) -> dict[str, Any]:
    """Counts over the principal's agency: cases open and closed, exhibits, linked cases and
    watch hits (no names, no media)."""
    principal.require(Capability.FIGURES_READ)
    rows = case_list(store, agency_of(store, principal))
    return {
        "agency": principal.agency,
        "cases": len(rows),
        "open_cases": sum(r["status"] == CaseStatus.OPEN.value for r in rows),
        "exhibits": sum(int(r["exhibits"]) for r in rows),
        "linked_cases": sum(int(r["linked_cases"]) for r in rows),
        "watch_hits": sum(int(r["watch_hits"]) for r in rows),
    }


def list_cases(store: SqlStore, principal: Principal) -> list[dict[str, Any]]:
    """The principal's agency's cases with their figures (audited)."""
    principal.require(Capability.CASES_READ)
    rows = case_list(store, agency_of(store, principal))
    audit_read(
        store, principal, "case.list", "agency", str(principal.agency_id), {"cases": len(rows)}
    )
    return sorted(rows, key=lambda r: str(r["case"]))


def show_case(store: SqlStore, principal: Principal, name: str) -> dict[str, Any]:
    """One own case with its exhibits (audited)."""
    case = case_of(store, principal, name, Capability.CASES_READ)
    exhibits = store.cases.exhibits(case.id)
    audit_read(store, principal, "case.read", "case", str(case.id))
    return {
        "case": case.name,
        "status": case.status.value,
        "agency": principal.agency,
        "created_at": case.created_at.isoformat() if case.created_at else None,
        "exhibits": [
            {
                "id": str(e.id),
                "name": e.name,
                "description": e.description,
                "acquisition_hash": e.acquisition_hash,
            }
            for e in exhibits
        ],
    }


def open_case(store: SqlStore, principal: Principal, name: str) -> Case:
    """Open a new case of the principal's agency (audited)."""
    principal.require(Capability.CASES_WRITE)
    text = name.strip()
    if not text or len(text) > 200:
        from interlink.domain.errors import InvalidFieldError

        raise InvalidFieldError("case", name[:80], "1 to 200 characters")
    return service.open_case(store, text, agency_of(store, principal), actor=principal.actor)


def set_status(store: SqlStore, principal: Principal, name: str, status: CaseStatus) -> Case:
    """Open or close an own case (audited with before and after)."""
    case_of(store, principal, name, Capability.CASES_WRITE)
    return service.set_case_status(
        store, name, status, agency_of(store, principal), actor=principal.actor
    )


def add_identifier(
    store: SqlStore, principal: Principal, name: str, identifier: Identifier
) -> service.Found:
    """Record an identifier met in an own case (audited; links and watch hits follow)."""
    case_of(store, principal, name, Capability.CASES_WRITE)
    return service.add_identifier(
        store, name, identifier, agency_of(store, principal), actor=principal.actor
    )


def links(store: SqlStore, principal: Principal, name: str) -> dict[str, Any]:
    """What links an own case with other agencies' cases (audited)."""
    case = case_of(store, principal, name, Capability.CASES_READ)
    view = case_links.case_links(store, name, agency_of(store, principal))
    audit_read(store, principal, "case.links.read", "case", str(case.id))
    return view


def link_page(
    store: SqlStore, principal: Principal, name: str, *, after: str | None, limit: int
) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """The links of an own case as a listing: what the case is (reference, agency, cluster,
    series), up to ``limit`` linked cases by reference after ``after`` (case references
    are unique and stay), and whether more follow (audited). Its watch hits are
    :func:`hits` with ``case``."""
    view = links(store, principal, name)
    rows = sorted(
        (r for r in view["links"] if after is None or r["case"] > after), key=lambda r: r["case"]
    )
    about = {k: v for k, v in view.items() if k not in ("links", "watch_hits")}
    return about, rows[:limit], len(rows) > limit


def report(
    store: SqlStore, principal: Principal, name: str, *, trusted_votes: int = 3
) -> dict[str, Any]:
    """The JSON report of an own case (audited by ``reports.read_report``): the case read
    once, through the principal's scope (another agency's case is not found)."""
    case = case_of(store, principal, name, Capability.CASES_READ)
    return reports.read_report(
        store, name, actor=principal.actor, trusted_votes=trusted_votes, record=case
    )


def report_html(store: SqlStore, principal: Principal, name: str, *, trusted_votes: int = 3) -> str:
    """The HTML report of an own case (audited). Every thumbnail is blurred; only a
    principal that may reveal media gets the clear one behind the reveal click."""
    case = case_of(store, principal, name, Capability.CASES_READ)
    principal.require(Capability.MEDIA_BLURRED)
    data = reports.case_report(store, name, trusted_votes=trusted_votes)
    reveal = principal.can(Capability.MEDIA_REVEAL)

    def thumbnail(sha: str) -> bytes | None:
        clear = store.media.thumbnail(sha)
        if clear is None or reveal:
            return clear
        return wellness_jpeg(clear)

    html = render_report(data, thumbnail)
    audit_read(
        store,
        principal,
        "report.download",
        "case",
        str(case.id),
        {"files": len(data["files"]), "reveal": reveal},
    )
    return html


def watch_list(store: SqlStore, principal: Principal) -> list[dict[str, Any]]:
    """The principal's agency's watches (audited)."""
    principal.require(Capability.CASES_READ)
    rows = watches.watch_list(store, agency_of(store, principal))
    audit_read(store, principal, "watch.list", "agency", str(principal.agency_id))
    return rows


def hits(store: SqlStore, principal: Principal, case: str | None = None) -> list[dict[str, Any]]:
    """Watch hits the principal's agency made or received, only those touching its own case
    ``case`` when given (audited)."""
    principal.require(Capability.CASES_READ)
    if case is None:
        rows = watches.hit_views(store, agency_of(store, principal))
        audit_read(store, principal, "watch.hits.read", "agency", str(principal.agency_id))
        return rows
    own = case_of(store, principal, case, Capability.CASES_READ)
    rows = watches.hit_views(store, agency_of(store, principal), own)
    audit_read(store, principal, "watch.hits.read", "case", str(own.id))
    return rows


def hit_page(
    store: SqlStore,
    principal: Principal,
    case: str | None,
    *,
    after: tuple[int, str] | None,
    limit: int,
) -> tuple[list[dict[str, Any]], tuple[int, str] | None]:
    """A page of :func:`hits` (``watches.hit_page``: cut and scoped by the store's query)
    and the key to go on after (audited)."""
    principal.require(Capability.CASES_READ)
    own = None if case is None else case_of(store, principal, case, Capability.CASES_READ)
    rows, last = watches.hit_page(store, agency_of(store, principal), own, after=after, limit=limit)
    if own is None:
        audit_read(store, principal, "watch.hits.read", "agency", str(principal.agency_id))
    else:
        audit_read(store, principal, "watch.hits.read", "case", str(own.id))
    return rows, last


def operation(store: SqlStore, principal: Principal, name: str) -> dict[str, Any]:
    """An operation the principal's agency takes part in: figures only for a viewer, the
    whole view (as ``operations.operation_view`` discloses it) with case access (audited)."""
    principal.require(Capability.FIGURES_READ)
    view = operations.operation_view(store, name, agency_of(store, principal))
    audit_read(store, principal, "operation.read", "operation", name)
    if principal.can(Capability.CASES_READ):
        return view
    return {
        "operation": view["operation"],
        "figures": view["figures"],
        "countries": view["countries"],
    }
