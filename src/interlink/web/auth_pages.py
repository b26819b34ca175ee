"""The login page (password and TOTP code; a button per agency whose identity provider is
configured, for an OpenID Connect login that ends on the pages) and the root, which leads to
the cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from interlink.api import rules
from interlink.api.deps import SESSION_COOKIE, Context, client_of, server
from interlink.api.routes.auth import set_session_cookie
from interlink.domain.errors import AuthenticationError
from interlink.services import authentication, oidc_login
from interlink.web.render import page

router = APIRouter(include_in_schema=False)
HOME = "/cases"


def _local(target: str | None) -> str:
    """``target`` if it is a path on this server, else the home page (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return HOME


def login_page(
    request: Request, *, status: int = 200, error: str = "", next: str = HOME, name: str = ""
) -> Response:
    """The login form, with the identity-provider buttons of the agencies that have one."""
    choices = oidc_login.login_choices(server(request).store)
    return page(
        request,
        "login.html",
        status=status,
        error=error,
        next=_local(next),
        name=name,
        oidc_agencies=choices,
    )


@router.get("/", openapi_extra=rules.public())
def root() -> RedirectResponse:
    """The cases page."""
    return RedirectResponse(HOME, status_code=303)


@router.get("/login", openapi_extra=rules.public())
def login_form(request: Request, next: str | None = None) -> Response:
    """The login form (JSON twin: ``POST /api/v1/auth/login``)."""
    return login_page(request, next=_local(next))


@router.post("/login", openapi_extra=rules.public())
def login(
    request: Request,
    context: Context,
    name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    code: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=2000)] = HOME,
) -> Response:
    """Log in as ``POST /api/v1/auth/login`` does and go on to ``next``."""
    client = client_of(request)
    context.logins.hit("ip:" + client)
    try:
        session = authentication.login(
            context.store,
            name,
            password,
            code.strip() or None,
            client=client,
            ends=request.cookies.get(SESSION_COOKIE),
        )
    except AuthenticationError as refused:
        return login_page(request, status=401, error=str(refused), next=next, name=name)
    response = RedirectResponse(_local(next), status_code=303)
    set_session_cookie(response, context, session)
    return response


# Declared before ``/login/oidc/{agency}`` so that ``callback`` is not taken for an agency.
@router.get("/login/oidc/callback", name="oidc_page_callback", openapi_extra=rules.public())
def oidc_callback(
    request: Request,
    context: Context,
    state: Annotated[str, Query(min_length=1, max_length=100)],
    code: Annotated[str, Query(min_length=1, max_length=2000)],
) -> Response:
    """Where the identity provider sends the browser back after a login started on the
    login page: a new (rotated) session, then the cases (as ``GET /api/v1/auth/oidc/callback``
    does for API clients)."""
    client = client_of(request)
    context.logins.hit("ip:" + client)
    session = oidc_login.finish(
        context.store,
        state,
        code,
        client=client,
        ends=request.cookies.get(SESSION_COOKIE),
        discover=context.discover,
        exchange=context.exchange,
    )
    response = RedirectResponse(HOME, status_code=303)
    set_session_cookie(response, context, session)
    return response


@router.get("/login/oidc/{agency}", openapi_extra=rules.public())
def oidc_start(
    agency: Annotated[str, Path(min_length=1, max_length=200)], request: Request, context: Context
) -> Response:
    """The login page's button: send the browser to the agency's identity provider
    (authorisation code + PKCE), to come back to ``/login/oidc/callback``."""
    context.logins.hit("ip:" + client_of(request))
    url = oidc_login.start(
        context.store,
        agency,
        str(request.url_for("oidc_page_callback")),
        discover=context.discover,
    )
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})
