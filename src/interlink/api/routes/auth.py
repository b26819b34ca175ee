"""``/api/v1/auth``: password login (a rotated session cookie and its CSRF token), logout,
and who the caller is."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import SESSION_COOKIE, Caller, Context, client_of
from interlink.domain.principal import Principal
from interlink.services import authentication, oidc_login, step_up

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    """A password login; ``code`` is the TOTP code where the account has one."""

    name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)
    code: str | None = Field(default=None, max_length=12)


class Me(BaseModel):
    """The authenticated principal."""

    name: str
    agency: str
    roles: list[str]
    capabilities: list[str]
    method: str
    second_factor: bool


class LoggedIn(Me):
    """A new session: send ``csrf_token`` back in ``X-CSRF-Token`` on changes."""

    csrf_token: str
    expires_at: datetime


def _me(principal: Principal) -> Me:
    return Me(
        name=principal.name,
        agency=principal.agency,
        roles=sorted(r.value for r in principal.roles),
        capabilities=sorted(c.value for c in principal.capabilities),
        method=principal.method.value,
        second_factor=principal.second_factor_at is not None,
    )


def set_session_cookie(
    response: Response, context: Context, session: authentication.Session
) -> LoggedIn:
    """Put a new session in the response's cookie and describe it."""
    response.set_cookie(
        SESSION_COOKIE,
        session.secret,
        max_age=int(authentication.SESSION_TTL.total_seconds()),
        path="/",
        secure=context.options.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    response.headers["Cache-Control"] = "no-store"
    return LoggedIn(
        **_me(session.principal).model_dump(),
        csrf_token=session.csrf_token,
        expires_at=session.expires_at,
    )


@router.post("/login", response_model=LoggedIn, openapi_extra=rules.public())
def login(body: Login, request: Request, response: Response, context: Context) -> LoggedIn:
    """Log in with a password (and TOTP code); the session the browser came with ends and a
    new one starts (rotated at every login)."""
    client = client_of(request)
    context.logins.hit("ip:" + client)
    session = authentication.login(
        context.store,
        body.name,
        body.password,
        body.code,
        client=client,
        ends=request.cookies.get(SESSION_COOKIE),
    )
    return set_session_cookie(response, context, session)


@router.post("/logout", status_code=204, openapi_extra=rules.authenticated())
def logout(request: Request, response: Response, principal: Caller, context: Context) -> None:
    """End the caller's session (a token caller has none to end)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        authentication.logout(context.store, secret, principal)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=context.options.cookie_secure,
        httponly=True,
        samesite="strict",
    )


@router.get("/me", response_model=Me, openapi_extra=rules.authenticated())
def me(principal: Caller) -> Me:
    """Who the caller is and what it may do."""
    return _me(principal)


@router.get(
    "/oidc/{agency}/login",
    status_code=302,
    response_class=RedirectResponse,
    openapi_extra=rules.public(),
)
def oidc_login_start(agency: str, request: Request, context: Context) -> RedirectResponse:
    """Send the browser to the agency's identity provider (authorisation code + PKCE)."""
    context.logins.hit("ip:" + client_of(request))
    url = oidc_login.start(
        context.store,
        agency,
        str(request.url_for("oidc_login_callback")),
        discover=context.discover,
    )
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


@router.get("/oidc/callback", response_model=LoggedIn, openapi_extra=rules.public())
def oidc_login_callback(
    request: Request,
    response: Response,
    context: Context,
    state: Annotated[str, Query(min_length=1, max_length=100)],
    code: Annotated[str, Query(min_length=1, max_length=2000)],
) -> LoggedIn:
    """Where the identity provider sends the browser back: a new (rotated) session."""
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
    return set_session_cookie(response, context, session)


class StepUp(BaseModel):
    """The current code of the caller's authenticator."""

    code: str = Field(min_length=6, max_length=12, pattern=r"^\s*[0-9]{6,8}\s*$")


class SteppedUp(BaseModel):
    """When the second factor was given, and until when it allows reveals."""

    second_factor_at: datetime
    fresh_until: datetime


@router.post("/step-up", response_model=SteppedUp, openapi_extra=rules.authenticated())
def give_second_factor(
    body: StepUp, request: Request, principal: Caller, context: Context
) -> SteppedUp:
    """Give the second factor again in the caller's browser session, without logging in
    again (a reveal needs one given within the last 10 minutes)."""
    from interlink.services.exposure import FRESH_SECOND_FACTOR

    at = step_up.step_up(
        context.store,
        principal,
        request.cookies.get(SESSION_COOKIE),
        body.code,
        client=client_of(request),
    )
    return SteppedUp(second_factor_at=at, fresh_until=at + FRESH_SECOND_FACTOR)
