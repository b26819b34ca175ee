"""``/api/v1/operations``: the operations the caller's agency takes part in, creating one,
putting an own case in one, and an operation's dashboard (networks identified, offenders
identified, children safeguarded, country by country). ``GET /operations/{name}``, the whole
view, is in ``cases``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, paginate
from interlink.domain.principal import Capability as C
from interlink.services import operation_dashboard

router = APIRouter(prefix="/operations", tags=["operations"])
Name = Annotated[str, Path(min_length=1, max_length=200)]


class OperationOut(BaseModel):
    """An operation and how many cases it holds (of them, the caller's agency's)."""

    operation: str
    description: str
    created_at: str
    cases: int
    own_cases: int


class NewOperation(BaseModel):
    """An operation to create."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)


class NewMember(BaseModel):
    """An own case to put in the operation."""

    case: str = Field(min_length=1, max_length=200)


class Added(BaseModel):
    """Whether the case was new in the operation."""

    operation: str
    case: str
    added: bool


class Totals(BaseModel):
    """The operation's figures in all."""

    networks_identified: int
    offenders_identified: int
    children_safeguarded: int
    victims_identified: int
    cases: int
    agencies: int
    countries: int


class CountryFigures(BaseModel):
    """One country's figures (a network with members in two countries counts in both)."""

    country: str
    cases: int
    networks_identified: int
    offenders_identified: int
    children_safeguarded: int
    victims_identified: int


class Dashboard(BaseModel):
    """An operation's dashboard; ``build`` is the network build the networks come from."""

    operation: str
    build: str | None
    figures: Totals
    countries: list[CountryFigures]


@router.get("", response_model=Page[OperationOut], openapi_extra=rules.needs(C.FIGURES_READ))
def list_operations(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[OperationOut]:
    """The operations the caller's agency has a case in (or that hold no case yet)."""
    rows = operation_dashboard.operation_list(context.store, principal)
    page, after = paginate(rows, lambda r: str(r["operation"]), cursor, limit)
    return Page[OperationOut](
        items=[OperationOut.model_validate(r) for r in page], next_cursor=after
    )


@router.post(
    "", response_model=OperationOut, status_code=201, openapi_extra=rules.needs(C.CASES_WRITE)
)
def create(body: NewOperation, principal: Caller, context: Context) -> OperationOut:
    """Create an operation (409 if the name is taken)."""
    made = operation_dashboard.create(
        context.store, principal, body.name, description=body.description
    )
    return OperationOut.model_validate(made)


@router.post(
    "/{name}/cases",
    response_model=Added,
    openapi_extra=rules.needs(C.CASES_WRITE, scoped=True),
)
def add_case(name: Name, body: NewMember, principal: Caller, context: Context) -> Added:
    """Put an own case in the operation (another agency's case is not found)."""
    added = operation_dashboard.add_case(context.store, principal, name, body.case)
    return Added(operation=name, case=body.case, added=added)


@router.get(
    "/{name}/dashboard",
    response_model=Dashboard,
    openapi_extra=rules.needs(C.FIGURES_READ, scoped=True),
)
def dashboard(name: Name, principal: Caller, context: Context) -> Dashboard:
    """The operation's figures, in all and country by country."""
    return Dashboard.model_validate(operation_dashboard.dashboard(context.store, principal, name))
