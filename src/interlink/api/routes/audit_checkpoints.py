"""``/api/v1/audit/checkpoints``: sign the audit chain's head on demand (a node admin, as
``interlink audit checkpoint`` does) and export the signed checkpoints to keep elsewhere."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, encode, position
from interlink.domain.principal import Capability
from interlink.services import audit_access

router = APIRouter(prefix="/audit/checkpoints", tags=["audit"])


class SignedHead(BaseModel):
    """The chain's head as signed."""

    seq: int
    record_id: int
    hash: str
    count: int
    at: str
    key_fingerprint: str


class Checkpoint(BaseModel):
    """A checkpoint in the exported form ``interlink audit checkpoint -o FILE`` writes, which
    ``python -m interlink.audit_verifier`` checks (``public_key``: null when the node has no
    key file)."""

    format: str
    checkpoint: SignedHead
    algorithm: str
    public_key: str | None
    signature: str


@router.post(
    "",
    response_model=Checkpoint,
    status_code=201,
    openapi_extra=rules.needs(Capability.NODE_SETTINGS),
)
def make(principal: Caller, context: Context) -> Checkpoint:
    """Sign the chain's head now and return the checkpoint to keep off the node."""
    return Checkpoint.model_validate(
        audit_access.checkpoint(context.store, context.settings, principal)
    )


@router.get("", response_model=Page[Checkpoint], openapi_extra=rules.needs(Capability.AUDIT_VERIFY))
def export(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[Checkpoint]:
    """The stored checkpoints by number, a page at a time."""
    after = position(cursor)
    found = [
        c
        for c in audit_access.checkpoints(context.store, context.settings, principal)
        if c["checkpoint"]["seq"] > after
    ]
    page = found[:limit]
    more = len(found) > limit
    return Page[Checkpoint](
        items=[Checkpoint.model_validate(c) for c in page],
        next_cursor=encode(page[-1]["checkpoint"]["seq"]) if more and page else None,
    )
