"""Pages over operations: the operations the agency takes part in (and a form to create one),
and an operation's dashboard: networks identified, offenders identified and children
safeguarded, in all and country by country. Each calls the service its JSON twin calls."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context
from interlink.domain.principal import Capability as C
from interlink.services import casefile, operation_dashboard
from interlink.web.listing import Listing, table
from interlink.web.session import PageViewer, show

router = APIRouter(include_in_schema=False)
OPERATION_COLUMNS = ("operation", "description", "created_at", "cases", "own_cases")
COUNTRY_COLUMNS = (
    "country",
    "cases",
    "networks_identified",
    "offenders_identified",
    "children_safeguarded",
    "victims_identified",
)


@router.get("/operations", openapi_extra=rules.needs(C.FIGURES_READ))
def operations(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The agency's operations (JSON twin: ``GET /api/v1/operations``)."""
    rows = operation_dashboard.operation_list(context.store, who.principal)
    shown = table(rows, columns=OPERATION_COLUMNS, listing=listing)
    return show(request, who, "operations.html", twin="/api/v1/operations", table=shown)


@router.get("/operations/{name}", openapi_extra=rules.needs(C.FIGURES_READ, scoped=True))
def operation(
    request: Request,
    name: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """An operation's dashboard (JSON twin: ``GET /api/v1/operations/{name}/dashboard``)."""
    board = operation_dashboard.dashboard(context.store, who.principal, name)
    shown = table(board["countries"], columns=COUNTRY_COLUMNS, listing=listing)
    own = (
        [r["case"] for r in casefile.list_cases(context.store, who.principal)]
        if who.principal.can(C.CASES_WRITE) and who.principal.can(C.CASES_READ)
        else []
    )
    return show(
        request,
        who,
        "operation.html",
        twin=f"/api/v1/operations/{name}/dashboard",
        board=board,
        table=shown,
        base=f"/operations/{name}",
        own_cases=own,
    )
