"""``/api/v1/agencies``: an agency's settings (its identity provider)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.domain.principal import NODE_WIDE_CAPABILITIES, Capability
from interlink.services import oidc_login

router = APIRouter(prefix="/agencies", tags=["agencies"])


class ProviderIn(BaseModel):
    """An OpenID Connect provider by issuer URL, and this node's client there."""

    issuer: str = Field(min_length=8, max_length=500)
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: str | None = Field(default=None, max_length=500)


class ProviderOut(BaseModel):
    """An agency's provider (never the client secret)."""

    agency: str
    issuer: str
    client_id: str


@router.put(
    "/{agency}/identity-provider",
    response_model=ProviderOut,
    openapi_extra=rules.needs(
        Capability.USERS_AGENCY, Capability.USERS_NODE, scoped=True, reach=NODE_WIDE_CAPABILITIES
    ),
)
def set_provider(agency: str, body: ProviderIn, principal: Caller, context: Context) -> ProviderOut:
    """Let the agency's users log in through its own identity provider."""
    provider = oidc_login.configure(
        context.store,
        principal,
        agency,
        issuer=body.issuer,
        client_id=body.client_id,
        client_secret=body.client_secret,
    )
    return ProviderOut(agency=agency, issuer=provider.issuer, client_id=provider.client_id)
