"""``/api/v1/users``: the users an admin manages."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, next_cursor, text_key
from interlink.domain.accounts import User
from interlink.domain.principal import NODE_WIDE_CAPABILITIES, Capability, Role
from interlink.services import accounts

router = APIRouter(prefix="/users", tags=["users"])
_ADMINS = rules.needs(
    Capability.USERS_AGENCY, Capability.USERS_NODE, scoped=True, reach=NODE_WIDE_CAPABILITIES
)
_LIST = rules.needs(Capability.USERS_AGENCY, Capability.USERS_NODE)


class UserOut(BaseModel):
    """A user (never a secret)."""

    name: str
    agency: str
    roles: list[str]
    disabled: bool
    second_factor: bool
    oidc: bool
    locked_until: str | None
    created_at: str | None


class NewUser(BaseModel):
    """A user to add; without ``password`` the user logs in through its agency's identity
    provider only."""

    name: str = Field(min_length=1, max_length=200)
    agency: str = Field(min_length=1, max_length=200)
    roles: list[Role] = Field(min_length=1, max_length=6)
    password: str | None = Field(default=None, max_length=1000)


class Reset(BaseModel):
    """A new password (optional: a reset always clears the lockout)."""

    password: str | None = Field(default=None, max_length=1000)


class Credentials(BaseModel):
    """A user just made or reset, and its TOTP secret (shown once) if its roles need one."""

    user: UserOut
    totp_secret: str | None
    totp_uri: str | None


def user_out(user: User) -> UserOut:
    """The API view of a user."""
    return UserOut.model_validate(accounts.user_card(user))


def _credentials(made: accounts.NewCredentials) -> Credentials:
    return Credentials(
        user=user_out(made.user), totp_secret=made.totp_secret, totp_uri=made.totp_uri
    )


@router.get("", response_model=Page[UserOut], openapi_extra=_LIST)
def list_users(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[UserOut]:
    """The users the caller manages, by name."""
    users, after = accounts.user_page(context.store, principal, after=text_key(cursor), limit=limit)
    return Page[UserOut](items=[user_out(u) for u in users], next_cursor=next_cursor(after))


@router.post("", response_model=Credentials, status_code=201, openapi_extra=_ADMINS)
def add_user(body: NewUser, principal: Caller, context: Context) -> Credentials:
    """Add a user."""
    made = accounts.add_user(
        context.store,
        principal,
        body.name,
        agency=body.agency,
        roles=frozenset(body.roles),
        password=body.password,
    )
    return _credentials(made)


@router.post("/{name}/disable", response_model=UserOut, openapi_extra=_ADMINS)
def disable_user(name: str, principal: Caller, context: Context) -> UserOut:
    """Disable a user: its sessions end and its tokens stop working."""
    return user_out(accounts.disable_user(context.store, principal, name))


@router.post("/{name}/reset", response_model=Credentials, openapi_extra=_ADMINS)
def reset_user(name: str, body: Reset, principal: Caller, context: Context) -> Credentials:
    """Clear a user's lockout and end its sessions; set a new password and TOTP secret."""
    return _credentials(accounts.reset_user(context.store, principal, name, password=body.password))
