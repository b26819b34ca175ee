"""The store of chat evidence: conversations, participants, messages, attachments,
identifiers, cue hits, and each source's limits and problems.

Writes take the caller's connection (one transaction per batch) and skip rows already stored
under the same key, so an export imported twice is stored once. Reads open their own
connection: those of the case's evidence (``chat_reads``), of its attachments as media
(``chat_media``), and of the conversations as the network graph takes them
(``chat_threads``). An import's bulk writes are ``chat_batch``'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from interlink.adapters.sql import chat_media, chat_threads
from interlink.adapters.sql.chat_reads import ChatReads
from interlink.adapters.sql.chat_schema import (
    chat_attachments,
    chat_conversations,
    chat_cues,
    chat_identifier_messages,
    chat_identifiers,
    chat_messages,
    chat_notes,
    chat_participants,
)
from interlink.adapters.sql.dialect import CHUNK, insert_ignore
from interlink.chats.base import digest
from interlink.domain.chats import ChatThread, Conversation, Participant


class ChatRepository(ChatReads):
    """Chat evidence in the SQL store."""

    # -- writes --------------------------------------------------------------------------

    def ensure_conversation(
        self, connection: Connection, case_id: uuid.UUID, conversation: Conversation
    ) -> int:
        """The id of ``conversation`` in the case, stored if new; a title or kind given now
        fills one that was missing."""
        row = {
            "case_id": case_id,
            "key": conversation.key,
            "platform": conversation.platform,
            "title": conversation.title,
            "kind": conversation.kind,
            "source": conversation.source,
            "imported_at": datetime.now(UTC),
        }
        insert_ignore(connection, chat_conversations, [row], "case_id", "key")
        found = connection.execute(
            select(chat_conversations.c.id, chat_conversations.c.title, chat_conversations.c.kind)
            .where(chat_conversations.c.case_id == case_id)
            .where(chat_conversations.c.key == conversation.key)
        ).one()
        changes = {}
        if conversation.title and not found.title:
            changes["title"] = conversation.title
        if conversation.kind and not found.kind:
            changes["kind"] = conversation.kind
        if changes:
            connection.execute(
                update(chat_conversations)
                .where(chat_conversations.c.id == found.id)
                .values(**changes)
            )
        return int(found.id)

    def add_participants(
        self, connection: Connection, conversation_id: int, participants: Iterable[Participant]
    ) -> None:
        """Store participants of a conversation (one row per participant key)."""
        rows = {
            p.key: {
                "conversation_id": conversation_id,
                "key": p.key[:400],
                "account": p.account,
                "name": p.name,
                "phone": p.phone,
                "owner": p.owner,
            }
            for p in participants
        }
        insert_ignore(connection, chat_participants, list(rows.values()), "conversation_id", "key")
        owners = [key for key, row in rows.items() if row["owner"]]
        if owners:
            connection.execute(
                update(chat_participants)
                .where(chat_participants.c.conversation_id == conversation_id)
                .where(chat_participants.c.key.in_(owners))
                .values(owner=True)
            )

    def add_messages(
        self, connection: Connection, conversation_id: int, rows: Sequence[dict[str, Any]]
    ) -> dict[str, int]:
        """Store message rows (``key`` and the other columns) of a conversation; answer the
        id of every row's key, new or already stored."""
        for row in rows:
            row["conversation_id"] = conversation_id
        insert_ignore(connection, chat_messages, rows, "conversation_id", "key")
        ids: dict[str, int] = {}
        keys = [row["key"] for row in rows]
        for start in range(0, len(keys), CHUNK):
            query = (
                select(chat_messages.c.key, chat_messages.c.id)
                .where(chat_messages.c.conversation_id == conversation_id)
                .where(chat_messages.c.key.in_(keys[start : start + CHUNK]))
            )
            ids.update({row.key: int(row.id) for row in connection.execute(query)})
        return ids

    def add_attachments(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Store attachment rows (unique by message and ordinal)."""
        insert_ignore(connection, chat_attachments, rows, "message_id", "ordinal")

    def add_identifiers(
        self,
        connection: Connection,
        case_id: uuid.UUID,
        found: Mapping[tuple[str, str], bool],
    ) -> dict[tuple[str, str], int]:
        """Store identifiers ``(kind, value) -> e164`` of a case; answer their ids."""
        rows = [
            {"case_id": case_id, "kind": kind, "value": value[:400], "e164": e164}
            for (kind, value), e164 in found.items()
        ]
        insert_ignore(connection, chat_identifiers, rows, "case_id", "kind", "value")
        ids: dict[tuple[str, str], int] = {}
        values = sorted({value[:400] for _, value in found})
        for start in range(0, len(values), CHUNK):
            query = (
                select(chat_identifiers.c.id, chat_identifiers.c.kind, chat_identifiers.c.value)
                .where(chat_identifiers.c.case_id == case_id)
                .where(chat_identifiers.c.value.in_(values[start : start + CHUNK]))
            )
            ids.update({(r.kind, r.value): int(r.id) for r in connection.execute(query)})
        return ids

    def link_identifiers(self, connection: Connection, pairs: Iterable[tuple[int, int]]) -> None:
        """Record that identifier ``i`` was met in message ``m`` for each ``(i, m)``."""
        rows = [{"identifier_id": i, "message_id": m} for i, m in set(pairs)]
        insert_ignore(connection, chat_identifier_messages, rows, "identifier_id", "message_id")

    def add_cues(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Store cue hits (unique by message and cue)."""
        insert_ignore(connection, chat_cues, rows, "message_id", "cue")

    def add_notes(
        self, connection: Connection, case_id: uuid.UUID, notes: Iterable[tuple[str, str, str, str]]
    ) -> None:
        """Store ``(kind, source, position, text)`` limits and problems of a case, once each."""
        rows = {
            digest(kind, source, position, text): {
                "case_id": case_id,
                "kind": kind,
                "source": source,
                "position": position,
                "text": text,
                "digest": digest(kind, source, position, text),
            }
            for kind, source, position, text in notes
        }
        insert_ignore(connection, chat_notes, list(rows.values()), "case_id", "digest")

    # -- reads of their own modules ------------------------------------------------------

    def attachments(self, case_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every attachment of a case's chats with the media it is (``chat_media``)."""
        return chat_media.attachments(self._engine, case_id)

    def threads(self) -> Iterator[ChatThread]:
        """Every stored conversation as the network graph takes it (``chat_threads``)."""
        return chat_threads.threads(self._engine)
