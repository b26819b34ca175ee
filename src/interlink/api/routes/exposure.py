"""``/api/v1/exposure``: the caller's clear views of media today, its daily budget, and until
when its second factor is fresh enough to reveal."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.services.exposure import exposure_of

router = APIRouter(tags=["wellness"])


class ExposureOut(BaseModel):
    """Clear views today, the day's budget, what is left, and the second factor's
    freshness (null: give it again before revealing)."""

    today: int
    budget: int
    remaining: int
    fresh_until: str | None


@router.get("/exposure", response_model=ExposureOut, openapi_extra=rules.authenticated())
def exposure(principal: Caller, context: Context) -> ExposureOut:
    """The caller's exposure to clear media today."""
    return ExposureOut.model_validate(exposure_of(context.store, principal).as_json())
