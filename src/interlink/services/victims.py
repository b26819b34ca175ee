"""Victims and suspects: pseudonymous records of one agency whose statuses only move forward,
each change audited with its before and after."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency, Suspect, SuspectStatus, Victim, VictimStatus
from interlink.domain.errors import ConflictError, NotFoundError
from interlink.services.audited import change
from interlink.services.cases import own_case


def _victim_json(victim: Victim) -> dict[str, Any]:
    return {
        "pseudonym": victim.pseudonym,
        "status": victim.status.value,
        "case": str(victim.case_id) if victim.case_id else None,
        "series": list(victim.series),
    }


def _suspect_json(suspect: Suspect) -> dict[str, Any]:
    return {
        "pseudonym": suspect.pseudonym,
        "status": suspect.status.value,
        "case": str(suspect.case_id) if suspect.case_id else None,
    }


def add_victim(
    store: SqlStore,
    pseudonym: str,
    agency: Agency,
    *,
    case: str | None = None,
    series: Sequence[str] = (),
    actor: str,
) -> Victim:
    """Record a pseudonymous, unidentified victim of ``agency`` (in its ``case``, seen in
    ``series``); audited. ``ConflictError`` if the agency has a victim of that pseudonym."""
    case_id = own_case(store, case, agency).id if case else None
    names = tuple(sorted({s.strip() for s in series if s.strip()}))
    victim = Victim(uuid.uuid4(), pseudonym.strip(), agency.id, case_id=case_id, series=names)
    if any(v.pseudonym == victim.pseudonym for v in store.casework.victims(agency_id=agency.id)):
        raise ConflictError(f"victim {victim.pseudonym!r} exists")
    change(
        store,
        partial(store.casework.add_victim, victim=victim),
        actor=actor,
        action="victim.create",
        object_type="victim",
        object_id=str(victim.id),
        after=_victim_json(victim),
    )
    return victim


def advance_victim(
    store: SqlStore, pseudonym: str, status: VictimStatus, agency: Agency, *, actor: str
) -> Victim:
    """Move a victim of ``agency`` one step on (``Victim.advance``); audited before/after."""
    found = [v for v in store.casework.victims(agency_id=agency.id) if v.pseudonym == pseudonym]
    if not found:
        raise NotFoundError("victim", pseudonym)
    after = found[0].advance(status)
    change(
        store,
        partial(store.casework.set_victim_status, victim=after),
        actor=actor,
        action="victim.status",
        object_type="victim",
        object_id=str(after.id),
        before=_victim_json(found[0]),
        after=_victim_json(after),
    )
    return after


def add_suspect(
    store: SqlStore, pseudonym: str, agency: Agency, *, case: str | None = None, actor: str
) -> Suspect:
    """Record a pseudonymous, unidentified suspect of ``agency`` (in its ``case``); audited.
    ``ConflictError`` if the agency has a suspect of that pseudonym."""
    case_id = own_case(store, case, agency).id if case else None
    suspect = Suspect(uuid.uuid4(), pseudonym.strip(), agency.id, case_id=case_id)
    if any(s.pseudonym == suspect.pseudonym for s in store.casework.suspects(agency_id=agency.id)):
        raise ConflictError(f"suspect {suspect.pseudonym!r} exists")
    change(
        store,
        partial(store.casework.add_suspect, suspect=suspect),
        actor=actor,
        action="suspect.create",
        object_type="suspect",
        object_id=str(suspect.id),
        after=_suspect_json(suspect),
    )
    return suspect


def advance_suspect(
    store: SqlStore, pseudonym: str, status: SuspectStatus, agency: Agency, *, actor: str
) -> Suspect:
    """Move a suspect of ``agency`` forward (``Suspect.advance``); audited before/after."""
    found = [s for s in store.casework.suspects(agency_id=agency.id) if s.pseudonym == pseudonym]
    if not found:
        raise NotFoundError("suspect", pseudonym)
    after = found[0].advance(status)
    change(
        store,
        partial(store.casework.set_suspect_status, suspect=after),
        actor=actor,
        action="suspect.status",
        object_type="suspect",
        object_id=str(after.id),
        before=_suspect_json(found[0]),
        after=_suspect_json(after),
    )
    return after
