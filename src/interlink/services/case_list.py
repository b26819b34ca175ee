"""An agency's case list, with each case's figures (``interlink cases``, the API's case list and
figures).

Apart from ``services.cases`` so that listing imports neither SQLAlchemy nor the linking rules:
it reads any store whose ``cases`` give ``figures``, the SQL store or the standard-library
SQLite reader the command line lists with (``adapters.sqlite_reads``); both run the same query.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from interlink.domain.cases import Agency, CaseFigures


class CaseFiguresSource(Protocol):
    """Where the figures of an agency's cases are read."""

    def figures(self, agency_id: UUID) -> list[CaseFigures]:
        """Every case of the agency, by name, with its figures."""
        ...


class ListingStore(Protocol):
    """A store that can list cases."""

    @property
    def cases(self) -> CaseFiguresSource:
        """Its cases."""
        ...


def case_list(store: ListingStore, agency: Agency) -> list[dict[str, Any]]:
    """The cases of ``agency`` with their exhibits, linked cases and watch hits."""
    return [
        {
            "case": case.name,
            "status": case.status.value,
            "created_at": case.created_at.isoformat() if case.created_at else None,
            "exhibits": case.exhibits,
            "linked_cases": case.linked_cases,
            "watch_hits": case.watch_hits,
        }
        for case in store.cases.figures(agency.id)
    ]
