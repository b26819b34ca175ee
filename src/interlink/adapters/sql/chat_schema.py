"""Tables of chat evidence (``interlink.chats``), on the one ``metadata`` of the schema.

Every row is unique under what identifies it in its export (conversation key, message key,
attachment ordinal, identifier kind and value), so importing an export again adds nothing.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
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

chat_conversations = Table(
    "chat_conversations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    Column("key", String(400), nullable=False),
    Column("platform", String(60), nullable=False),
    Column("title", Text, nullable=True),
    Column("kind", String(60), nullable=True),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "key"),
)

chat_participants = Table(
    "chat_participants",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("conversation_id", BigId, ForeignKey("chat_conversations.id"), nullable=False),
    Column("key", String(400), nullable=False),
    Column("account", Text, nullable=True),
    Column("name", Text, nullable=True),
    Column("phone", String(40), nullable=True),
    Column("owner", Boolean, nullable=False),
    UniqueConstraint("conversation_id", "key"),
)

chat_messages = Table(
    "chat_messages",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("conversation_id", BigId, ForeignKey("chat_conversations.id"), nullable=False),
    Column("key", String(100), nullable=False),
    Column("position", Text, nullable=False),
    Column("sender_key", String(400), nullable=True),
    Column("sender_name", Text, nullable=True),
    Column("recipients", JSON, nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("time_text", String(100), nullable=False),
    Column("local_time", DateTime(timezone=False), nullable=True),
    Column("text", Text, nullable=False),
    Column("service", Boolean, nullable=False),
    Column("action", String(100), nullable=True),
    Column("reply_to", String(100), nullable=True),
    Column("forwarded_from", Text, nullable=True),
    Column("edited", Boolean, nullable=False),
    Column("edited_at", DateTime(timezone=True), nullable=True),
    Column("deleted", Boolean, nullable=False),
    UniqueConstraint("conversation_id", "key"),
)

chat_attachments = Table(
    "chat_attachments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("message_id", BigId, ForeignKey("chat_messages.id"), nullable=False),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    Column("ordinal", Integer, nullable=False),
    Column("name", Text, nullable=True),
    Column("path", Text, nullable=True),
    Column("kind", String(60), nullable=False),
    Column("size", BigInteger, nullable=True),
    Column("mime", String(100), nullable=True),
    Column("present", Boolean, nullable=False),
    Column("sha256", Hex64, nullable=True, index=True),
    Column("md5", String(32), nullable=True),
    Column("note", Text, nullable=False),
    UniqueConstraint("message_id", "ordinal"),
)

chat_identifiers = Table(
    "chat_identifiers",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("value", String(400), nullable=False),
    Column("e164", Boolean, nullable=False),
    UniqueConstraint("case_id", "kind", "value"),
)

chat_identifier_messages = Table(
    "chat_identifier_messages",
    metadata,
    Column("identifier_id", BigId, ForeignKey("chat_identifiers.id"), primary_key=True),
    Column("message_id", BigId, ForeignKey("chat_messages.id"), primary_key=True),
)

chat_cues = Table(
    "chat_cues",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("conversation_id", BigId, ForeignKey("chat_conversations.id"), nullable=False),
    Column("message_id", BigId, ForeignKey("chat_messages.id"), nullable=False),
    Column("cue", String(40), nullable=False),
    Column("spans", JSON, nullable=False),
    Column("age", Integer, nullable=True),
    UniqueConstraint("message_id", "cue"),
    Index("ix_chat_cues_conversation_id", "conversation_id"),
)

chat_notes = Table(
    "chat_notes",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("case_id", Uuid, ForeignKey("cases.id"), nullable=False, index=True),
    # ``limit`` (what a source cannot tell) or ``problem`` (input that could not be read).
    Column("kind", String(20), nullable=False),
    Column("source", Text, nullable=False),
    Column("position", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("digest", String(40), nullable=False),
    UniqueConstraint("case_id", "digest"),
)
