"""The relational schema, for SQLite and PostgreSQL alike (SQLAlchemy Core).

Alembic migrations in ``migrations/`` create and evolve it; a test checks that the migrated
database matches these tables.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: 64-bit integer keys that SQLite still treats as its auto-incrementing rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Hex64 = String(64)

agencies = Table(
    "agencies",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("country", String(2), nullable=False),
    Column("contact", Text, nullable=False, default=""),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("agency_id", Uuid, ForeignKey("agencies.id"), nullable=True),
    Column("status", String(20), nullable=False, default="open"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

exhibits = Table(
    "exhibits",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("root", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("acquisition_hash", String(128), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Storage-media images read in the exhibit: provenance key -> ImageFacts.to_json().
    Column("images", JSON, nullable=True),
    UniqueConstraint("case_id", "name"),
)

scans = Table(
    "scans",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("exhibit_id", Uuid, ForeignKey("exhibits.id"), nullable=False, index=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("status", String(20), nullable=False),
    Column("options", JSON, nullable=False),
    Column("summary", JSON, nullable=True),
)

media = Table(
    "media",
    metadata,
    Column("sha256", Hex64, primary_key=True),
    Column("md5", String(32), nullable=False, index=True),
    Column("sha1", String(40), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)

media_signals = Table(
    "media_signals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("sha256", Hex64, ForeignKey("media.sha256"), nullable=False),
    Column("type", String(40), nullable=False),
    Column("value", Text, nullable=False),
    Column("quality", Integer, nullable=True),
    # The PDQ dihedral variants of this value, when it is a PDQ of an image we hashed.
    Column("variants", JSON, nullable=True),
    # An ORB value as bytes (1,680 for 48 features), ``value`` then empty: ``signal_data``
    # (migration 0023). In the row beside the media's other signals, it shares their pages
    # (a scan writes them in ``signal_data.page_order``).
    Column("data", LargeBinary, nullable=True),
    # An ORB value (~1.7 KB) is in no value index: the two value indexes are partial
    # (``WHERE type <> 'orb'``) and ``uq_media_signals_orb`` keeps one ORB value a media
    # (``WHERE type = 'orb'``). The predicates live in migration 0022, which makes the tables
    # (nothing makes them from this module): declared here, ``postgresql_where`` would load the
    # PostgreSQL dialect in every command, SQLite's included.
    Index(
        "uq_media_signals_sha256",
        "sha256",
        "type",
        "value",
        unique=True,
    ),
    Index(
        "uq_media_signals_orb",
        "type",
        "sha256",
        unique=True,
    ),
    Index(
        "ix_media_signals_type_value",
        "type",
        "value",
    ),
)

thumbnails = Table(
    "thumbnails",
    metadata,
    Column("sha256", Hex64, ForeignKey("media.sha256"), primary_key=True),
    Column("jpeg", LargeBinary, nullable=False),
)

media_clues = Table(
    "media_clues",
    metadata,
    Column("sha256", Hex64, ForeignKey("media.sha256"), primary_key=True),
    Column("make", String(200), nullable=True),
    Column("model", String(200), nullable=True),
    Column("serial", String(200), nullable=True),
    # Normalised make + serial, the key that links media shot with one camera.
    Column("camera_key", String(300), nullable=True, index=True),
    Column("lens_serial", String(200), nullable=True),
    Column("image_unique_id", String(200), nullable=True, index=True),
    Column("software", String(300), nullable=True),
    Column("captured_raw", String(100), nullable=True),
    Column("captured_local", DateTime(timezone=False), nullable=True),
    Column("captured_utc", DateTime(timezone=True), nullable=True),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("altitude", Float, nullable=True),
    Column("thumbnail_sha256", Hex64, nullable=True),
    Column("thumbnail_pdq", Hex64, nullable=True),
    Column("thumbnail_differs", Boolean, nullable=False),
    Column("thumbnail_reason", Text, nullable=True),
    Column("facts", JSON, nullable=False),
    # Linking by place asks for the media in a box around each new position.
    Index("ix_media_clues_latitude_longitude", "latitude", "longitude"),
)

video_info = Table(
    "video_info",
    metadata,
    Column("sha256", Hex64, ForeignKey("media.sha256"), primary_key=True),
    Column("container", String(100), nullable=False),
    Column("codec", String(100), nullable=False),
    Column("fps", Float, nullable=False),
    Column("duration", Float, nullable=True),
    Column("frames_seen", BigInteger, nullable=False),
    Column("every_seconds", Float, nullable=False),
    Column("sampled", Integer, nullable=False),
)

sightings = Table(
    "sightings",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("exhibit_id", Uuid, ForeignKey("exhibits.id"), nullable=False),
    Column("scan_id", Uuid, ForeignKey("scans.id"), nullable=False),
    Column("sha256", Hex64, ForeignKey("media.sha256"), nullable=False, index=True),
    Column("ref_hash", Hex64, nullable=False),
    Column("ref_key", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("modified", DateTime(timezone=True), nullable=True),
    Column("seq", BigInteger, nullable=False),
    UniqueConstraint("exhibit_id", "ref_hash"),
)

problems = Table(
    "problems",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("exhibit_id", Uuid, ForeignKey("exhibits.id"), nullable=False),
    Column("scan_id", Uuid, ForeignKey("scans.id"), nullable=False),
    Column("ref_hash", Hex64, nullable=False),
    Column("ref_key", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("message", Text, nullable=False),
    # Whether the item was still ingested (a sighting exists) despite the problem.
    Column("ingested", Boolean, nullable=False),
    UniqueConstraint("exhibit_id", "ref_hash", "kind"),
)

hash_lists = Table(
    "hash_lists",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("source", Text, nullable=False, default=""),
    Column("version", String(100), nullable=False, default=""),
    Column("format", String(20), nullable=False, default=""),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("pdq_threshold", Integer, nullable=False, default=31),
    Column("generation", BigInteger, nullable=False, default=0, server_default="0"),
    # How many entries the list holds, kept by every change of them in the change's own
    # transaction (``ListRepository``); NULL: not known, counted when read.
    Column("entry_count", BigInteger, nullable=True),
)

list_entries = Table(
    "list_entries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("list_id", BigId, ForeignKey("hash_lists.id", ondelete="CASCADE"), nullable=False),
    Column("external_id", String(200), nullable=True),
    Column("category_scheme", String(40), nullable=True),
    Column("category_code", String(20), nullable=True),
    Column("series", String(200), nullable=True),
    Column("victim_identified", Boolean, nullable=True),
    Column("offender_identified", Boolean, nullable=True),
    Column("distributed", Boolean, nullable=True),
    Column("media_kind", String(20), nullable=True),
    Column("extra", JSON, nullable=True),
    # The entry's identity within its list across versions: the list's own id for it, else
    # its strongest exact hash. A newer version of the list updates the entry with the key.
    Column("entry_key", String(300), nullable=True),
    # SHA-256 of the entry's content, to tell a changed entry from an unchanged one.
    Column("content_hash", String(64), nullable=True),
    # The import (``hash_lists.generation``) that last carried this entry.
    Column("seen_in", BigInteger, nullable=True),
    # Who vouches for the entry: the agency the file names for it, else the list's source.
    Column("agency", String(200), nullable=True),
    Index("ix_list_entries_list_id", "list_id"),
    Index("ix_list_entries_list_key", "list_id", "entry_key", unique=True),
)

# Each import generation of a list (its version label, source and time), from the first one
# this store recorded on: the versions a list's changes are compared between.
list_versions = Table(
    "list_versions",
    metadata,
    Column("list_id", BigId, ForeignKey("hash_lists.id", ondelete="CASCADE"), primary_key=True),
    Column("generation", BigInteger, primary_key=True),
    Column("version", String(100), nullable=False),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

# What each generation after a list's first changed, entry by entry: the entry as described
# before (``None``: added) and after (``None``: removed). A list's first import is not
# recorded (everything was added), so history costs only what later versions change.
list_changes = Table(
    "list_changes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("list_id", BigId, ForeignKey("hash_lists.id", ondelete="CASCADE"), nullable=False),
    Column("generation", BigInteger, nullable=False),
    Column("entry_key", String(300), nullable=False),
    Column("before", JSON(none_as_null=True), nullable=True),
    Column("after", JSON(none_as_null=True), nullable=True),
    Index("ix_list_changes_list_generation", "list_id", "generation"),
)

#: ``ix_entry_signals_type_value`` leaves ORB values out too (``WHERE type <> 'orb'``, 0022);
#: ``data`` holds an ORB value as bytes, as in ``media_signals`` (``signal_data``, 0023).
entry_signals = Table(
    "entry_signals",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("entry_id", BigId, ForeignKey("list_entries.id", ondelete="CASCADE"), nullable=False),
    Column("list_id", BigId, ForeignKey("hash_lists.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(40), nullable=False),
    Column("value", Text, nullable=False),
    Column("quality", Integer, nullable=True),
    Column("data", LargeBinary, nullable=True),
    Index(
        "ix_entry_signals_type_value",
        "type",
        "value",
    ),
    Index("ix_entry_signals_entry_id", "entry_id"),
    # A list's signals (its index built, its lists of holdings, its rows deleted with it)
    # without reading every list's.
    Index("ix_entry_signals_list_id_type", "list_id", "type"),
)

media_matches = Table(
    "media_matches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("sha256", Hex64, ForeignKey("media.sha256"), nullable=False, index=True),
    Column("entry_id", BigId, ForeignKey("list_entries.id", ondelete="CASCADE"), nullable=False),
    Column("list_id", BigId, ForeignKey("hash_lists.id", ondelete="CASCADE"), nullable=False),
    Column("signal_type", String(40), nullable=False),
    Column("distance", Integer, nullable=False),
    UniqueConstraint("sha256", "entry_id", "signal_type"),
)


def _audit_record_columns() -> list[Column[Any]]:
    """The columns of an audit record before it is chained (its id, time and fields)."""
    return [
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("action", String(100), nullable=False),
        Column("object_type", String(100), nullable=False),
        Column("object_id", String(200), nullable=False),
        Column("before", JSON, nullable=True),
        Column("after", JSON, nullable=True),
    ]


audit_log = Table(
    "audit_log",
    metadata,
    *_audit_record_columns(),
    Column("prev_hash", Hex64, nullable=False),
    Column("hash", Hex64, nullable=False, unique=True),
)

# Audit records committed but not yet chained (PostgreSQL): a chainer moves them into
# audit_log in the order it takes them (``adapters/sql/audit_queue.py``).
audit_queue = Table("audit_queue", metadata, *_audit_record_columns())

# One row: the hash of the newest audit record. Appending locks it, which orders the chain.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hash", Hex64, nullable=False),
    Column("count", BigInteger, nullable=False),
)

# Signed heads of the audit chain. ``at`` is kept as the exact ISO 8601 text that was signed.
audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("record_id", BigInteger, nullable=False),
    Column("hash", Hex64, nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("at", String(40), nullable=False),
    Column("key_fingerprint", Hex64, nullable=False),
    Column("signature", String(128), nullable=False),
)

# What users see of background jobs, whichever queue runs them (procrastinate on PostgreSQL,
# the one local worker on SQLite).
jobs = Table(
    "jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("agency_id", Uuid, ForeignKey("agencies.id"), nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("arguments", JSON, nullable=False),
    Column("state", String(20), nullable=False, index=True),
    Column("files_done", BigInteger, nullable=False, default=0),
    Column("files_total", BigInteger, nullable=False, default=0),
    Column("result", JSON, nullable=True),
    Column("problem", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("queue_ref", String(100), nullable=True),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_jobs_agency_id_submitted_at", "agency_id", "submitted_at"),
)

platform_reports = Table(
    "platform_reports",
    metadata,
    Column("report_id", String(200), primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("agency", String(200), nullable=True),
    Column("case_name", String(200), nullable=True),
    Column("source", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("body", JSON, nullable=False),
)

network_builds = Table(
    "network_builds",
    metadata,
    Column("build_id", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("report_count", BigInteger, nullable=False),
    Column("networks", Integer, nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

# The tables of cases across agencies and of federation live in their own modules, on this
# metadata; importing them here registers them wherever the schema is loaded.
from interlink.adapters.sql import casework_schema, federation_schema  # noqa: E402, F401
