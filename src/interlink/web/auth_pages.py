"""The login page (password and TOTP code) and the root, which leads to the cases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from interlink.api import rules
from interlink.api.deps import SESSION_COOKIE, Context, client_of
from interlink.api.routes.auth import set_session_cookie
from interlink.domain.errors import AuthenticationError
from interlink.services import authentication
from interlink.web.render import page

router = APIRouter(include_in_schema=False)
HOME = "/cases"


def _local(target: str | None) -> str:
    """``target`` if it is a path on this server, else the home page (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return HOME


@router.get("/", openapi_extra=rules.public())
def root() -> RedirectResponse:
    """The cases page."""
    return RedirectResponse(HOME, status_code=303)


@router.get("/login", openapi_extra=rules.public())
def login_form(request: Request, next: str | None = None) -> Response:
    """The login form (JSON twin: ``POST /api/v1/auth/login``)."""
    return page(request, "login.html", error="", next=_local(next))


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
        return page(
            request, "login.html", status=401, error=str(refused), next=_local(next), name=name
        )
    response = RedirectResponse(_local(next), status_code=303)
    set_session_cookie(response, context, session)
    return response
