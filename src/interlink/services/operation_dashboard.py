"""Operations as a principal works with them on the server: the operations its agency takes
part in, creating one, putting an own case in one, and the operation's dashboard: networks
identified, offenders identified and children safeguarded, in all and country by country.

The dashboard discloses figures only (counts per country), the channel through which other
agencies' work reaches a principal; the whole view stays ``operations.operation_view``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

import numpy as np

from interlink.adapters.sql.networks import SqlNetworkRepository
from interlink.adapters.sql.operation_views import OperationViews
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Operation, VictimStatus
from interlink.domain.errors import AccessDeniedError
from interlink.domain.principal import Capability, Principal
from interlink.network.model import Relation
from interlink.network.pipeline import NetworkBuild
from interlink.services import operations
from interlink.services.casefile import agency_of, audit_read

#: The country of records whose agency has none known.
UNKNOWN = "unknown"


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def operation_list(store: SqlStore, principal: Principal) -> list[dict[str, Any]]:
    """The operations the principal's agency has a case in (or that have no case yet), by
    name, with how many cases each holds."""
    return operation_page(store, principal, after=None, limit=None)[0]


def operation_page(
    store: SqlStore, principal: Principal, *, after: str | None, limit: int | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` (``None``: every) of the operations the principal's agency has a case
    in (or that have no case yet) by name after ``after``, with how many cases each holds,
    and the name to go on after (``None``: the last); the store's query cuts the page."""
    principal.require(Capability.FIGURES_READ)
    wanted = None if limit is None else limit + 1
    found = OperationViews(store.engine).visible(principal.agency_id, after=after, limit=wanted)
    more = limit is not None and len(found) > limit
    rows: list[dict[str, Any]] = [
        {
            "operation": operation.name,
            "description": operation.description,
            "created_at": _iso(operation.created_at),
            "cases": held,
            "own_cases": own,
        }
        for operation, held, own in found[:limit]
    ]
    return rows, (found[limit - 1][0].name if more and limit else None)


def create(
    store: SqlStore, principal: Principal, name: str, *, description: str = ""
) -> dict[str, Any]:
    """Create an operation in the principal's agency's name (audited)."""
    principal.require(Capability.CASES_WRITE)
    made = operations.create_operation(
        store, name, agency_of(store, principal), description=description, actor=principal.actor
    )
    return {
        "operation": made.name,
        "description": made.description,
        "created_at": _iso(made.created_at),
        "cases": 0,
        "own_cases": 0,
    }


def add_case(store: SqlStore, principal: Principal, operation: str, case: str) -> bool:
    """Put an own case in an operation (audited); whether it was new there. Another agency's
    case is "not found"."""
    principal.require(Capability.CASES_WRITE)
    store.scoped_cases.case(principal.scope, case)
    return operations.add_to_operation(
        store, operation, case, agency_of(store, principal), actor=principal.actor
    )


def _networks_of_cases(found: NetworkBuild, case_names: set[str]) -> dict[str, set[str]]:
    """The networks of a build with a member reported in a report of ``case_names``, each
    with the countries of its members."""
    graph = found.graph
    in_case = graph.edges_of(Relation.IN_CASE)
    keys = np.array(graph.keys, dtype=object)
    wanted = in_case[np.isin(keys[graph.target[in_case]], sorted(case_names))]
    reports = np.zeros(graph.node_count, dtype=bool)
    reports[graph.source[wanted]] = True
    reported = graph.edges_of(Relation.REPORTED_IN, Relation.RECIPIENT_IN)
    accounts = set(graph.source[reported[reports[graph.target[reported]]]].tolist())
    result: dict[str, set[str]] = {}
    for summary in found.analysis.networks:
        if accounts.isdisjoint(summary.members):
            continue
        result[summary.network_id] = {code for code, _ in summary.countries} or {UNKNOWN}
    return result


#: The columns of a country's row, in order.
COLUMNS = (
    "cases",
    "networks_identified",
    "offenders_identified",
    "children_safeguarded",
    "victims_identified",
)


def operation_figures(store: SqlStore, operation: Operation, actor: str) -> dict[str, Any]:
    """An operation's figures as counts only (no case, agency, person or media named):
    ``figures`` in all, ``countries`` (one row a country) and ``build``, the network build
    the networks come from. What the dashboard shows and what a joined partner receives."""
    case_ids = store.casework.operation_case_ids(operation.id)
    cases = store.cases.by_ids(case_ids)
    agencies = {a.id: a for a in store.cases.agencies()}
    country = {ident: a.country or UNKNOWN for ident, a in agencies.items()}
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for case in cases.values():
        rows[country.get(case.agency_id, UNKNOWN) if case.agency_id else UNKNOWN]["cases"] += 1
    victims = store.casework.victims(case_ids=case_ids)
    for victim in victims:
        where = rows[country.get(victim.agency_id, UNKNOWN)]
        where["victims_identified"] += victim.status is not VictimStatus.UNIDENTIFIED
        where["children_safeguarded"] += victim.status is VictimStatus.SAFEGUARDED
    suspects = store.casework.suspects(case_ids=case_ids)
    for suspect in suspects:
        rows[country.get(suspect.agency_id, UNKNOWN)]["offenders_identified"] += suspect.identified
    found = SqlNetworkRepository(store, actor).latest_build()
    identified: dict[str, set[str]] = {}
    if found is not None:
        identified = _networks_of_cases(found, {c.name for c in cases.values()})
    for codes in identified.values():
        for code in codes:
            rows[code]["networks_identified"] += 1
    owners = {c.agency_id for c in cases.values() if c.agency_id in agencies}
    return {
        "build": found.build_id if found is not None else None,
        "figures": {
            "networks_identified": len(identified),
            "offenders_identified": sum(s.identified for s in suspects),
            "children_safeguarded": sum(v.status is VictimStatus.SAFEGUARDED for v in victims),
            "victims_identified": sum(v.status is not VictimStatus.UNIDENTIFIED for v in victims),
            "cases": len(cases),
            "agencies": len(owners),
            "countries": len({agencies[a].country for a in owners if a is not None}),
        },
        "countries": [
            {"country": code, **{c: int(rows[code][c]) for c in COLUMNS}} for code in sorted(rows)
        ],
    }


def taking_part(store: SqlStore, principal: Principal, name: str) -> Operation:
    """The operation ``name`` when the principal's agency has a case in it (or it holds
    none yet); ``AccessDeniedError`` otherwise."""
    viewer = agency_of(store, principal)
    operation = store.casework.operation(name)
    cases = store.cases.by_ids(store.casework.operation_case_ids(operation.id))
    if cases and all(c.agency_id != viewer.id for c in cases.values()):
        raise AccessDeniedError(f"agency {viewer.name!r} has no case in operation {name!r}")
    return operation


def dashboard(store: SqlStore, principal: Principal, name: str) -> dict[str, Any]:
    """The figures of an operation the principal's agency takes part in (audited): networks
    identified (networks of the latest build reported in its cases), offenders identified,
    children safeguarded, victims identified and cases, in all and per country; then the
    figures each partner node joined to it last shared (``partners``, naming its agency and
    when they arrived) and the ``total`` of them all."""
    from interlink.services import federation_operations

    principal.require(Capability.FIGURES_READ)
    operation = taking_part(store, principal, name)
    local = operation_figures(store, operation, principal.actor)
    partners = federation_operations.partner_figures(store, operation)
    result = {
        "operation": operation.name,
        **local,
        "partners": partners,
        "total": federation_operations.total(local, partners),
    }
    audit_read(store, principal, "operation.dashboard.read", "operation", str(operation.id))
    return result
