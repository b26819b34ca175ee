"""``/api/v1/operations``: the operations the caller's agency takes part in, creating one,
putting an own case in one, and an operation's dashboard (networks identified, offenders
identified, children safeguarded, country by country, with the figures partner nodes joined
to it share), and joining an operation with a peer node's. ``GET /operations/{name}``, the whole
view, is in ``cases``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, next_cursor, text_key
from interlink.domain.principal import Capability as C
from interlink.services import federation_operations, operation_dashboard

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


class PartnerFigures(BaseModel):
    """A peer node whose operation is joined with this one under ``reference``, and the
    figures it last shared (``None`` until some arrive): counts only, with its agency, when
    it computed them (``generated_at``) and when they arrived here (``received_at``)."""

    peer: str
    agency: str | None
    reference: str
    linked_at: str | None
    generated_at: str | None
    received_at: str | None
    figures: Totals | None
    countries: list[CountryFigures]


class Total(BaseModel):
    """This node's figures plus every partner's; ``partners``: how many partners' figures
    are in it."""

    figures: Totals
    countries: list[CountryFigures]
    partners: int


class Dashboard(BaseModel):
    """An operation's dashboard; ``build`` is the network build the networks come from.
    ``figures`` and ``countries`` are this node's; ``partners`` the joined peers' shares;
    ``total`` all of them added up."""

    operation: str
    build: str | None
    figures: Totals
    countries: list[CountryFigures]
    partners: list[PartnerFigures]
    total: Total


class NewPartner(BaseModel):
    """A peer node whose operation joins this one, under a reference both sides agreed."""

    peer: str = Field(min_length=1, max_length=200)
    reference: str = Field(min_length=1, max_length=200)


class Partner(PartnerFigures):
    """The join, and whether it was new."""

    new: bool


class Unlinked(BaseModel):
    """Whether there was a join to end."""

    operation: str
    peer: str
    unlinked: bool


@router.get("", response_model=Page[OperationOut], openapi_extra=rules.needs(C.FIGURES_READ))
def list_operations(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[OperationOut]:
    """The operations the caller's agency has a case in (or that hold no case yet)."""
    rows, after = operation_dashboard.operation_page(
        context.store, principal, after=text_key(cursor), limit=limit
    )
    return Page[OperationOut](
        items=[OperationOut.model_validate(r) for r in rows], next_cursor=next_cursor(after)
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


@router.post(
    "/{name}/partners",
    response_model=Partner,
    openapi_extra=rules.needs(C.CASES_WRITE, scoped=True),
)
def link_partner(name: Name, body: NewPartner, principal: Caller, context: Context) -> Partner:
    """Join the operation with a peer node's operation under an agreed reference (the peer
    joins its own under the same reference); the peer's shared figures are then pulled."""
    row = federation_operations.link_partner(
        context.store, principal, name, body.peer, body.reference
    )
    return Partner.model_validate(row)


@router.delete(
    "/{name}/partners/{peer}",
    response_model=Unlinked,
    openapi_extra=rules.needs(C.CASES_WRITE, scoped=True),
)
def unlink_partner(name: Name, peer: Name, principal: Caller, context: Context) -> Unlinked:
    """End the join with a peer (the figures it shared are forgotten)."""
    done = federation_operations.unlink_partner(context.store, principal, name, peer)
    return Unlinked(operation=name, peer=peer, unlinked=done)
