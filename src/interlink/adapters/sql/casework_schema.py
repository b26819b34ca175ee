"""Tables of cases across agencies: operations, series, victims, suspects, identifiers, links and
watches (in the one ``schema.metadata``)."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from interlink.adapters.sql.schema import BigId, Hex64, metadata

operations = Table(
    "operations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

operation_cases = Table(
    "operation_cases",
    metadata,
    Column("operation_id", Uuid, ForeignKey("operations.id"), primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), primary_key=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
)

series = Table(
    "series",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    # The name as compared (``domain.cases.series_key``): lists spell one series many ways.
    Column("key", String(200), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

victims = Table(
    "victims",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("pseudonym", String(200), nullable=False),
    Column("agency_id", Uuid, ForeignKey("agencies.id"), nullable=False),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=True, index=True),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("agency_id", "pseudonym"),
)

series_victims = Table(
    "series_victims",
    metadata,
    Column("series_id", Uuid, ForeignKey("series.id"), primary_key=True),
    Column("victim_id", Uuid, ForeignKey("victims.id"), primary_key=True),
)

suspects = Table(
    "suspects",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("pseudonym", String(200), nullable=False),
    Column("agency_id", Uuid, ForeignKey("agencies.id"), nullable=False),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=True, index=True),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("agency_id", "pseudonym"),
)

case_identifiers = Table(
    "case_identifiers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("value", Text, nullable=False),
    Column("service", String(200), nullable=True),
    Column("port", Integer, nullable=True),
    Column("seen_at", DateTime(timezone=True), nullable=True),
    # The normalised key two cases meet under (``linking.identifiers.identifier_key``).
    Column("key", String(400), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# One row per piece of evidence joining two cases (``case_a`` < ``case_b``); the strength of
# a link is computed from its rows when read.
case_links = Table(
    "case_links",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_a", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    Column("case_b", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("key", String(400), nullable=False),
    Column("media_a", Hex64, nullable=True),
    Column("media_b", Hex64, nullable=True),
    Column("distance", Integer, nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_a", "case_b", "kind", "key"),
    Index("ix_case_links_kind_key", "kind", "key"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("agency_id", Uuid, ForeignKey("agencies.id"), nullable=False, index=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=True),
    Column("title", String(300), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("disclosure", String(20), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
)

alert_triggers = Table(
    "alert_triggers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", Uuid, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("value", String(400), nullable=False),
    Index("ix_alert_triggers_kind_value", "kind", "value"),
)

alert_hits = Table(
    "alert_hits",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("alert_id", Uuid, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("trigger_id", BigId, ForeignKey("alert_triggers.id"), nullable=False),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    Column("agency_id", Uuid, ForeignKey("agencies.id"), nullable=False, index=True),
    # What in the hitting case met the trigger: a media's SHA-256 or an identifier key.
    Column("subject", String(400), nullable=False),
    Column("distance", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("trigger_id", "case_id", "subject"),
)
