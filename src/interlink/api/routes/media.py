"""``/api/v1/cases/{case}/media``: a case's media with clues, blurred thumbnails, and the
audited reveal of a clear one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, encode, text_key
from interlink.domain.principal import Capability as C
from interlink.services import case_media

router = APIRouter(prefix="/cases/{case}/media", tags=["media"])
_JPEG: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}}, "description": "A JPEG thumbnail."}
}


class MediaOut(BaseModel):
    """A media of the case, where it was seen, and its clues."""

    sha256: str
    paths: list[str]
    clues: dict[str, Any] | None


class Reveal(BaseModel):
    """Why the clear view is needed (recorded in the audit log)."""

    reason: str = Field(min_length=1, max_length=1000)


@router.get(
    "", response_model=Page[MediaOut], openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True)
)
def media_list(
    case: str, principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[MediaOut]:
    """The case's media with their clues, by SHA-256."""
    rows, more = case_media.media_page(
        context.store, principal, case, after=text_key(cursor), limit=limit
    )
    return Page[MediaOut](
        items=[MediaOut.model_validate(r) for r in rows],
        next_cursor=encode(rows[-1]["sha256"]) if more and rows else None,
    )


@router.get(
    "/{sha256}/thumbnail",
    response_class=Response,
    responses=_JPEG,
    openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True),
)
def thumbnail(case: str, sha256: str, principal: Caller, context: Context) -> Response:
    """The blurred greyscale thumbnail."""
    data = case_media.blurred(context.store, principal, case, sha256)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post(
    "/{sha256}/reveal",
    response_class=Response,
    responses=_JPEG,
    openapi_extra=rules.needs(C.MEDIA_REVEAL, scoped=True, second_factor=True),
)
def reveal(case: str, sha256: str, body: Reveal, principal: Caller, context: Context) -> Response:
    """The clear thumbnail, with the reason recorded (needs a second-factor login)."""
    data = case_media.reveal(context.store, principal, case, sha256, reason=body.reason)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "no-store"})
