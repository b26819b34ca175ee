"""The exhibits of an own case as a ``Principal`` reads them (``cases:read``, audited)."""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import Capability, Principal
from interlink.services.casefile import audit_read, case_of


def list_exhibits(store: SqlStore, principal: Principal, case: str) -> list[dict[str, Any]]:
    """The exhibits of an own case by name, with where each was read from (audited as
    ``exhibit.list``)."""
    record = case_of(store, principal, case, Capability.CASES_READ)
    rows = [
        {
            "id": str(e.id),
            "name": e.name,
            "root": e.root,
            "description": e.description,
            "acquisition_hash": e.acquisition_hash,
        }
        for e in store.cases.exhibits(record.id)
    ]
    audit_read(store, principal, "exhibit.list", "case", str(record.id), {"exhibits": len(rows)})
    return rows
