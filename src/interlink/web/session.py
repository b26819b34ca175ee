"""Who is looking at a page: the API's authenticated principal, and the session's CSRF token
for the page's scripts to send back on changes (a token caller has none)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from interlink.api.deps import SESSION_COOKIE, Caller, Context
from interlink.domain.principal import Principal
from interlink.services import authentication
from interlink.web.render import page


@dataclass(frozen=True, slots=True)
class Viewer:
    """The principal a page is rendered for, and its session's CSRF token (or "")."""

    principal: Principal
    csrf: str


def viewer(request: Request, principal: Caller, context: Context) -> Viewer:
    """The page's viewer (authentication as the API does it)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret or request.headers.get("authorization") is not None:
        return Viewer(principal, "")
    _, csrf = authentication.session_principal(context.store, secret)
    return Viewer(principal, csrf)


PageViewer = Annotated[Viewer, Depends(viewer)]


def show(request: Request, who: Viewer, template: str, twin: str, **context: Any) -> HTMLResponse:
    """The page ``template`` for ``who``, whose JSON twin is ``twin``."""
    return page(request, template, principal=who.principal, csrf=who.csrf, twin=twin, **context)
