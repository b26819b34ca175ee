"""``/api/v1/exposure``: the caller's clear views of media today, its daily budget, and until
when its second factor is fresh enough to reveal."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.domain.principal import Capability
from interlink.services import exposure as wellness
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


class Budget(BaseModel):
    """The daily budget of clear views of the caller's agency, and the node's default."""

    agency: str
    budget: int
    default: int


class NewBudget(BaseModel):
    """A new daily budget of clear views for every user of the agency."""

    budget: int = Field(ge=0, le=wellness.MAX_DAILY_BUDGET)


def _budget(context: Context, principal: Caller) -> Budget:
    return Budget(
        agency=principal.agency,
        budget=wellness.daily_budget(context.store, principal),
        default=wellness.DEFAULT_DAILY_BUDGET,
    )


@router.get("/exposure/budget", response_model=Budget, openapi_extra=rules.authenticated())
def budget(principal: Caller, context: Context) -> Budget:
    """The caller's agency's daily budget of clear views."""
    return _budget(context, principal)


@router.put(
    "/exposure/budget",
    response_model=Budget,
    openapi_extra=rules.needs(Capability.USERS_AGENCY),
)
def set_budget(body: NewBudget, principal: Caller, context: Context) -> Budget:
    """Set the daily budget of clear views of the caller's agency (its agency admin)."""
    wellness.set_daily_budget(context.store, principal, body.budget)
    return _budget(context, principal)
