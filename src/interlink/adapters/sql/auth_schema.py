"""Tables of accounts: users, their browser sessions and API tokens, agencies' identity
providers and pending OpenID Connect logins (in the one ``schema.metadata``)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Uuid,
)

from interlink.adapters.sql.schema import Hex64, metadata

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("agency_id", Uuid, ForeignKey("agencies.id"), nullable=False, index=True),
    Column("roles", JSON, nullable=False),
    Column("password_hash", Text, nullable=True),
    Column("totp_secret", Text, nullable=True),
    # "issuer sub" of the identity-provider account this user logs in with, if any.
    Column("oidc_subject", String(600), nullable=True, unique=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id_hash", Hex64, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("method", String(20), nullable=False),
    Column("second_factor_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("label", String(200), nullable=False),
    Column("token_hash", Hex64, nullable=False, unique=True),
    Column("scopes", JSON, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
)

identity_providers = Table(
    "identity_providers",
    metadata,
    Column("agency_id", Uuid, ForeignKey("agencies.id"), primary_key=True),
    Column("issuer", Text, nullable=False),
    Column("client_id", String(200), nullable=False),
    Column("client_secret", Text, nullable=True),
)

oidc_logins = Table(
    "oidc_logins",
    metadata,
    Column("state", String(100), primary_key=True),
    Column("agency_id", Uuid, ForeignKey("agencies.id"), nullable=False),
    Column("nonce", String(100), nullable=False),
    Column("code_verifier", String(200), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
