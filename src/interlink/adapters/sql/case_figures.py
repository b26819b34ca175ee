"""The case list's figures in one query, as SQL text that both ways of reading the store run:
SQLAlchemy's (``CaseRepository.figures``, on SQLite and PostgreSQL) and the standard library's
``sqlite3`` (``adapters.sqlite_reads``, which lists cases without importing SQLAlchemy). One
text, so the two cannot drift apart; ``tests/adapters/test_sqlite_reads.py`` checks that both
give the same figures. No SQLAlchemy here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from interlink.domain.cases import CaseFigures, CaseStatus

#: Every case of agency ``:agency``, by name: its exhibits; the other cases its link evidence
#: joins it to (the other side of each link it is on); the watches it hit for that agency.
CASE_FIGURES = """
SELECT c.name, c.status, c.created_at,
    (SELECT count(*) FROM exhibits AS e WHERE e.case_id = c.id) AS exhibits,
    (SELECT count(*) FROM (
        SELECT l.case_b AS other FROM case_links AS l WHERE l.case_a = c.id
        UNION
        SELECT l.case_a AS other FROM case_links AS l
            WHERE l.case_b = c.id AND l.case_a <> c.id
    ) AS linked) AS linked_cases,
    (SELECT count(DISTINCT h.alert_id) FROM alert_hits AS h
        JOIN alerts AS a ON a.id = h.alert_id
        WHERE h.case_id = c.id AND h.agency_id = :agency) AS watch_hits
FROM cases AS c
WHERE c.agency_id = :agency
ORDER BY c.name
"""


def case_figures(row: Sequence[Any], created_at: datetime | None) -> CaseFigures:
    """One row of ``CASE_FIGURES`` (its creation time converted by the caller's driver)."""
    name, status, _, exhibits, linked_cases, watch_hits = row
    return CaseFigures(
        name, CaseStatus(status), created_at, int(exhibits), int(linked_cases), int(watch_hits)
    )
