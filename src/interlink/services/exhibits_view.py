"""The exhibits of an own case as a ``Principal`` reads them (``cases:read``, audited)."""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import Capability, Principal
from interlink.services.casefile import audit_read, case_of


def exhibit_page(
    store: SqlStore, principal: Principal, case: str, *, after: str | None, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` exhibits of an own case by name (unique in a case) after ``after``,
    with where each was read from, and whether more follow; the store's query cuts the page
    (audited as ``exhibit.list``)."""
    record = case_of(store, principal, case, Capability.CASES_READ)
    found = store.cases.exhibits(record.id, after=after, limit=limit + 1)
    rows = [
        {
            "id": str(e.id),
            "name": e.name,
            "root": e.root,
            "description": e.description,
            "acquisition_hash": e.acquisition_hash,
        }
        for e in found[:limit]
    ]
    audit_read(store, principal, "exhibit.list", "case", str(record.id), {"exhibits": len(rows)})
    return rows, len(found) > limit
