"""Operations: named sets of cases across agencies, and the figures such operations report.

An agency puts its own cases in an operation. The agencies with a case in it see the
operation: every case's reference, agency and country, the links among them and the figures;
their own cases' records only, in full.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency, Case, Operation, VictimStatus, series_key
from interlink.domain.errors import AccessDeniedError, ConflictError, InvalidFieldError
from interlink.linking import cases as linking
from interlink.linking.deconfliction import agency_card
from interlink.services.audited import change
from interlink.services.cases import own_case


def create_operation(
    store: SqlStore, name: str, agency: Agency, *, description: str = "", actor: str
) -> Operation:
    """Create an operation (audited); ``ConflictError`` if the name is taken."""
    if not name.strip():
        raise InvalidFieldError("operation name", name, "must not be empty")
    if any(op.name == name.strip() for op in store.casework.operations()):
        raise ConflictError(f"operation {name!r} exists")
    operation = Operation(uuid.uuid4(), name.strip(), description.strip(), datetime.now(UTC))
    change(
        store,
        partial(store.casework.add_operation, operation=operation),
        actor=actor,
        action="operation.create",
        object_type="operation",
        object_id=str(operation.id),
        after={"name": operation.name, "description": operation.description, "by": agency.name},
    )
    return operation


def add_to_operation(
    store: SqlStore, operation: str, case: str, agency: Agency, *, actor: str
) -> bool:
    """Put a case of ``agency`` in an operation (audited); return whether it was new there."""
    record = store.casework.operation(operation)
    owned = own_case(store, case, agency)
    with store.transaction() as tx:
        added = store.casework.add_to_operation(tx, record.id, owned.id)
        if added:
            store.audit.append(
                tx,
                actor=actor,
                action="operation.add_case",
                object_type="operation",
                object_id=str(record.id),
                after={"case": owned.name, "agency": agency.name},
            )
    return added


def operation_view(store: SqlStore, name: str, agency: Agency) -> dict[str, Any]:
    """The operation as an agency with a case in it sees it: its cases (reference, agency,
    country; status and exhibits of the viewer's own), the links and clusters among them, and
    the figures: cases, agencies, countries, series, victims identified and safeguarded,
    suspects identified."""
    operation = store.casework.operation(name)
    case_ids = store.casework.operation_case_ids(operation.id)
    cases = store.cases.by_ids(case_ids)
    if cases and all(c.agency_id != agency.id for c in cases.values()):
        raise AccessDeniedError(f"agency {agency.name!r} has no case in operation {name!r}")
    agencies = {a.id: a for a in store.cases.agencies()}
    evidence = [
        e for e in store.links.evidence(case_ids) if e.case_a in cases and e.case_b in cases
    ]
    links = linking.case_links(
        evidence, store.links.holders({(e.kind.value, e.key) for e in evidence})
    )
    victims = store.casework.victims(case_ids=case_ids)
    suspects = store.casework.suspects(case_ids=case_ids)
    media: set[str] = set()
    for ident in case_ids:
        media |= set(store.links.case_media(ident))
    series = {k for keys in store.casework.series_of_media(sorted(media)).values() for k in keys}
    series |= {series_key(name) for v in victims for name in v.series}
    owners = {c.agency_id for c in cases.values() if c.agency_id in agencies}
    return {
        "operation": operation.name,
        "description": operation.description,
        "figures": {
            "cases": len(cases),
            "agencies": len(owners),
            "countries": len({agencies[a].country for a in owners if a is not None}),
            "series": len(series),
            "victims": len(victims),
            "victims_identified": sum(v.status is not VictimStatus.UNIDENTIFIED for v in victims),
            "victims_safeguarded": sum(v.status is VictimStatus.SAFEGUARDED for v in victims),
            "suspects": len(suspects),
            "suspects_identified": sum(s.identified for s in suspects),
            "links": len(links),
        },
        "countries": sorted({agencies[a].country for a in owners if a is not None}),
        "cases": [
            _case_row(store, c, agencies, agency) for c in sorted(cases.values(), key=_by_name)
        ],
        "links": [
            {
                "cases": [cases[link.case_a].name, cases[link.case_b].name],
                "strength": link.strength,
                "counts": link.counts(),
            }
            for link in links
        ],
        "clusters": [sorted(cases[c].name for c in group) for group in linking.clusters(links)],
    }


def _by_name(case: Case) -> str:
    return case.name


def _case_row(
    store: SqlStore, case: Case, agencies: dict[uuid.UUID, Agency], viewer: Agency
) -> dict[str, Any]:
    owner = agencies.get(case.agency_id) if case.agency_id else None
    row: dict[str, Any] = {
        "case": case.name,
        "agency": agency_card(owner) if owner else None,
        "own": case.agency_id == viewer.id,
    }
    if row["own"]:
        row["status"] = case.status.value
        row["exhibits"] = [e.name for e in store.cases.exhibits(case.id)]
    return row
