"""Agencies, cases and exhibits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Agency:
    """A law-enforcement agency; ``country`` is an ISO 3166-1 alpha-2 code."""

    id: UUID
    name: str
    country: str
    contact: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    """An investigation of one agency, known by its reference."""

    id: UUID
    name: str
    agency_id: UUID | None = None
    status: str = "open"
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Exhibit:
    """A seized item (drive, folder, archive) scanned into a case.

    ``root`` is where it was read from; ``acquisition_hash`` is the examiner's hash of the
    acquired image, when there is one.
    """

    id: UUID
    case_id: UUID
    name: str
    root: str
    description: str = ""
    acquisition_hash: str = ""
