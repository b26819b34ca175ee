"""``/api/v1/audit``: the audit log a page at a time, and its verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, encode, position
from interlink.domain.principal import Capability
from interlink.services import audit_access

router = APIRouter(prefix="/audit", tags=["audit"])


class Record(BaseModel):
    """One audit record."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: Any
    after: Any
    hash: str


class Verification(BaseModel):
    """Whether the chain is intact, and where it first breaks."""

    ok: bool
    records: int
    first_bad_id: int | None
    reason: str


@router.get("", response_model=Page[Record], openapi_extra=rules.needs(Capability.AUDIT_READ))
def log(
    principal: Caller,
    context: Context,
    cursor: Cursor,
    limit: Limit = 100,
    sort: Annotated[
        str | None, Query(max_length=10, description="id or -id (newest first).")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Actor, action or object containing it.")
    ] = None,
) -> Page[Record]:
    """Audit records in chain order, ``sort=-id`` newest first (an agency admin: its agency's
    users' records), with ``q`` only those whose actor, action or object contains it."""
    page, more = audit_access.audit_listing(
        context.store,
        principal,
        sort=sort,
        containing=q,
        after_id=position(cursor),
        limit=limit,
    )
    items = [
        Record(
            id=r.id,
            at=r.at,
            actor=r.actor,
            action=r.action,
            object_type=r.object_type,
            object_id=r.object_id,
            before=r.before,
            after=r.after,
            hash=r.hash,
        )
        for r in page
    ]
    return Page[Record](items=items, next_cursor=encode(page[-1].id) if more and page else None)


@router.get(
    "/verify", response_model=Verification, openapi_extra=rules.needs(Capability.AUDIT_VERIFY)
)
def verify(principal: Caller, context: Context) -> Verification:
    """Recompute the chain."""
    check = audit_access.verify(context.store, principal)
    return Verification(
        ok=check.ok, records=check.records, first_bad_id=check.first_bad_id, reason=check.reason
    )
