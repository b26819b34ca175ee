"""``/api/v1/tokens``: the caller's personal API tokens."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, next_cursor, text_key
from interlink.domain.accounts import ApiToken
from interlink.domain.errors import InvalidFieldError
from interlink.domain.principal import NODE_WIDE_CAPABILITIES, Capability
from interlink.services import authentication

router = APIRouter(prefix="/tokens", tags=["tokens"])


class TokenOut(BaseModel):
    """A token's record (never its secret)."""

    id: str
    user: str
    label: str
    scopes: list[str] | None
    created_at: str
    expires_at: str
    revoked_at: str | None
    last_used_at: str | None


class NewToken(BaseModel):
    """A token to make for the caller; ``scopes`` narrow what it may do (default: all the
    caller's roles grant)."""

    label: str = Field(default="", max_length=200)
    scopes: list[Capability] | None = Field(default=None, max_length=30)
    days: int = Field(
        default=authentication.TOKEN_DEFAULT_DAYS, ge=1, le=authentication.TOKEN_MAX_DAYS
    )


class CreatedToken(TokenOut):
    """A new token and its secret, shown this once."""

    token: str


def token_out(token: ApiToken) -> TokenOut:
    """The API view of a token."""
    return TokenOut.model_validate(authentication.token_card(token))


@router.get("", response_model=Page[TokenOut], openapi_extra=rules.authenticated())
def list_tokens(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[TokenOut]:
    """The caller's tokens."""
    key = text_key(cursor)
    try:
        start = None if key is None else uuid.UUID(key)
    except ValueError:
        raise InvalidFieldError("cursor", str(key)[:40], "not a cursor of this listing") from None
    tokens, after = authentication.token_page(context.store, principal, after=start, limit=limit)
    return Page[TokenOut](
        items=[token_out(t) for t in tokens],
        next_cursor=next_cursor(None if after is None else str(after)),
    )


@router.post("", response_model=CreatedToken, status_code=201, openapi_extra=rules.authenticated())
def create_token(body: NewToken, principal: Caller, context: Context) -> CreatedToken:
    """Make a token for the caller."""
    token, secret = authentication.create_token(
        context.store,
        principal,
        label=body.label,
        scopes=None if body.scopes is None else frozenset(body.scopes),
        days=body.days,
    )
    return CreatedToken(**token_out(token).model_dump(), token=secret)


@router.delete(
    "/{token_id}",
    response_model=TokenOut,
    openapi_extra=rules.authenticated(scoped=True, reach=NODE_WIDE_CAPABILITIES),
)
def revoke_token(token_id: uuid.UUID, principal: Caller, context: Context) -> TokenOut:
    """Revoke one of the caller's tokens (or, for an admin, of a user it manages)."""
    return token_out(authentication.revoke_token(context.store, principal, token_id))
