"""Pages for agency admins: the users they manage (add, disable, reset), their own API tokens
(create, shown once; revoke), and the agency's settings (the daily budget of clear views).
Changes are the API's, sent by the page's script with the session's CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context
from interlink.domain.principal import Capability as C
from interlink.domain.principal import Role
from interlink.services import accounts, authentication, exposure
from interlink.web.listing import Listing, table
from interlink.web.session import PageViewer, show

router = APIRouter(include_in_schema=False)
USER_COLUMNS = (
    "name",
    "agency",
    "roles",
    "disabled",
    "second_factor",
    "locked_until",
    "created_at",
)
TOKEN_COLUMNS = ("label", "created_at", "expires_at", "last_used_at", "revoked_at", "scopes")


@router.get("/users", openapi_extra=rules.needs(C.USERS_AGENCY, C.USERS_NODE))
def users(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The users the admin manages (JSON twin: ``GET /api/v1/users``)."""
    rows = [
        {**accounts.user_card(u), "roles": ", ".join(sorted(r.value for r in u.roles))}
        for u in accounts.list_users(context.store, who.principal)
    ]
    shown = table(rows, columns=USER_COLUMNS, listing=listing)
    roles = [r.value for r in Role if who.principal.can(C.USERS_NODE) or r is not Role.NODE_ADMIN]
    return show(request, who, "users.html", twin="/api/v1/users", table=shown, roles=roles)


@router.get("/tokens", openapi_extra=rules.authenticated())
def tokens(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The viewer's API tokens (JSON twin: ``GET /api/v1/tokens``)."""
    rows = []
    for token in authentication.list_tokens(context.store, who.principal):
        card = authentication.token_card(token)
        scopes = card["scopes"]
        rows.append({**card, "scopes": ", ".join(scopes) if isinstance(scopes, list) else "all"})
    shown = table(rows, columns=TOKEN_COLUMNS, listing=listing, default_sort="-created_at")
    held = sorted(c.value for c in who.principal.capabilities)
    return show(request, who, "tokens.html", twin="/api/v1/tokens", table=shown, held=held)


@router.get("/agency", openapi_extra=rules.needs(C.USERS_AGENCY))
def agency(request: Request, who: PageViewer, context: Context) -> Response:
    """The agency's settings: the daily budget of clear views (JSON twin:
    ``GET /api/v1/exposure/budget``)."""
    return show(
        request,
        who,
        "agency.html",
        twin="/api/v1/exposure/budget",
        budget=exposure.budget_setting(context.store, who.principal),
        default=exposure.DEFAULT_DAILY_BUDGET,
        maximum=exposure.MAX_DAILY_BUDGET,
    )
