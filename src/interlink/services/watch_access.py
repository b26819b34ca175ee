"""Watches as a ``Principal`` places and withdraws them: changing them needs ``cases:write``,
and a watch may only name the principal's own case; only the owning agency withdraws one.
The watch services audit each change (with before and after for a withdrawal)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import ConflictError, InvalidFieldError, NotFoundError
from interlink.domain.principal import Capability, Principal
from interlink.linking.deconfliction import Disclosure, Priority
from interlink.services import watches
from interlink.services.casefile import agency_of, case_of

#: Longest a watch may run before it must be placed again.
MAX_DAYS = 3650


def priority_of(name: str) -> Priority:
    """A priority by name; ``InvalidFieldError`` naming ``priority`` otherwise."""
    try:
        return Priority[name.strip().upper()]
    except KeyError:
        raise InvalidFieldError("priority", name, "low, normal, high or critical") from None


def place(
    store: SqlStore,
    principal: Principal,
    specs: Sequence[watches.TriggerSpec],
    *,
    title: str,
    priority: str = "normal",
    disclosure: Disclosure = Disclosure.AGENCY,
    message: str = "",
    case: str | None = None,
    days: int | None = None,
) -> dict[str, Any]:
    """Place a watch of the principal's agency (for its own ``case``), check it against what
    is held, and return it with the number of hits it made at once (audited)."""
    principal.require(Capability.CASES_WRITE)
    record = case_of(store, principal, case, Capability.CASES_WRITE) if case else None
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise InvalidFieldError("days", str(days), f"1 to {MAX_DAYS}")
    placed = watches.add_watch(
        store,
        agency_of(store, principal),
        specs,
        title=title,
        priority=priority_of(priority),
        disclosure=disclosure,
        message=message,
        case=record,
        expires_at=datetime.now(UTC) + timedelta(days=days) if days else None,
        actor=principal.actor,
    )
    return {
        "id": str(placed.alert.id),
        "title": placed.alert.title,
        "triggers": [{"kind": t.kind.value, "value": t.value} for t in placed.triggers],
        "hits": len(placed.hits),
    }


def withdraw(store: SqlStore, principal: Principal, watch_id: str) -> dict[str, Any]:
    """Withdraw a watch of the principal's agency (audited before/after); another agency's
    watch is not found."""
    principal.require(Capability.CASES_WRITE)
    try:
        ident = uuid.UUID(watch_id.strip())
    except ValueError:
        raise InvalidFieldError("watch_id", watch_id[:80], "a watch id (UUID)") from None
    agency = agency_of(store, principal)
    current = store.watches.get(ident)
    if current.agency_id != agency.id:
        raise NotFoundError("watch", watch_id)
    if current.withdrawn_at is not None:
        raise ConflictError(f"watch {watch_id} was withdrawn at {current.withdrawn_at}")
    alert = watches.withdraw_watch(store, ident, agency, actor=principal.actor)
    return {
        "id": str(alert.id),
        "title": alert.title,
        "withdrawn_at": alert.withdrawn_at.isoformat() if alert.withdrawn_at else None,
    }
