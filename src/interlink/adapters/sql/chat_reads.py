"""Reads of the chat evidence of a case: conversations with their counts, messages in time
order, cue hits, identifiers with where they were met, participants, and the limits and
problems of each source. Each read opens its own connection."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from interlink.adapters.sql.chat_schema import (
    chat_conversations,
    chat_cues,
    chat_identifier_messages,
    chat_identifiers,
    chat_messages,
    chat_notes,
    chat_participants,
)
from interlink.adapters.sql.dialect import CHUNK
from interlink.adapters.sql.engine import reading


@dataclass(frozen=True, slots=True)
class StoredConversation:
    """A stored conversation with its counts."""

    id: int
    key: str
    platform: str
    title: str | None
    kind: str | None
    source: str
    messages: int
    participants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredCue:
    """A stored cue hit: its message, the message's text and sender, and the stated age."""

    conversation_id: int
    message_id: int
    message_key: str
    cue: str
    spans: tuple[tuple[int, int], ...]
    age: int | None
    text: str
    sender: str | None


@dataclass(frozen=True, slots=True)
class StoredIdentifier:
    """An identifier of a case's chats, and where it was met."""

    kind: str
    value: str
    e164: bool
    conversations: tuple[int, ...]
    messages: tuple[int, ...]


def _label(row: Any) -> str:
    return str(row.account or row.name or row.phone or row.key)


class ChatReads:
    """The reads of chat evidence in the SQL store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def conversations(self, case_id: uuid.UUID) -> list[StoredConversation]:
        """Every conversation of a case, with message counts and participant labels."""
        counts = (
            select(chat_messages.c.conversation_id, func.count().label("n"))
            .group_by(chat_messages.c.conversation_id)
            .subquery()
        )
        query = (
            select(chat_conversations, func.coalesce(counts.c.n, 0).label("n"))
            .outerjoin(counts, counts.c.conversation_id == chat_conversations.c.id)
            .where(chat_conversations.c.case_id == case_id)
            .order_by(chat_conversations.c.id)
        )
        with reading(self._engine) as connection:
            rows = connection.execute(query).all()
            people: dict[int, list[str]] = {}
            ids = [row.id for row in rows]
            for start in range(0, len(ids), CHUNK):
                part = (
                    select(chat_participants)
                    .where(chat_participants.c.conversation_id.in_(ids[start : start + CHUNK]))
                    .order_by(chat_participants.c.id)
                )
                for p in connection.execute(part):
                    people.setdefault(int(p.conversation_id), []).append(_label(p))
        return [
            StoredConversation(
                int(r.id),
                r.key,
                r.platform,
                r.title,
                r.kind,
                r.source,
                int(r.n),
                tuple(people.get(int(r.id), ())),
            )
            for r in rows
        ]

    def message_order(self, conversation_id: int) -> list[int]:
        """The ids of a conversation's messages in time order (UTC time, else the device's
        clock, else the order read)."""
        query = (
            select(chat_messages.c.id)
            .where(chat_messages.c.conversation_id == conversation_id)
            .order_by(
                chat_messages.c.sent_at.nulls_last(),
                chat_messages.c.local_time.nulls_last(),
                chat_messages.c.id,
            )
        )
        with reading(self._engine) as connection:
            return [int(row.id) for row in connection.execute(query)]

    def cues(self, case_id: uuid.UUID) -> list[StoredCue]:
        """Every cue hit of a case's conversations, with its message."""
        query = (
            select(
                chat_cues.c.conversation_id,
                chat_cues.c.message_id,
                chat_cues.c.cue,
                chat_cues.c.spans,
                chat_cues.c.age,
                chat_messages.c.key,
                chat_messages.c.text,
                chat_messages.c.sender_key,
            )
            .join(chat_messages, chat_messages.c.id == chat_cues.c.message_id)
            .join(chat_conversations, chat_conversations.c.id == chat_cues.c.conversation_id)
            .where(chat_conversations.c.case_id == case_id)
            .order_by(chat_cues.c.message_id, chat_cues.c.cue)
        )
        with reading(self._engine) as connection:
            return [
                StoredCue(
                    int(r.conversation_id),
                    int(r.message_id),
                    r.key,
                    r.cue,
                    tuple((int(a), int(b)) for a, b in r.spans),
                    r.age,
                    r.text,
                    r.sender_key,
                )
                for r in connection.execute(query)
            ]

    def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        """A conversation's messages in time order, each as a column mapping."""
        order = {mid: index for index, mid in enumerate(self.message_order(conversation_id))}
        query = select(chat_messages).where(chat_messages.c.conversation_id == conversation_id)
        with reading(self._engine) as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
        return sorted(rows, key=lambda row: order.get(int(row["id"]), 0))

    def conversation(self, case_id: uuid.UUID, conversation_id: int) -> StoredConversation | None:
        """One conversation of a case, or ``None``."""
        for item in self.conversations(case_id):
            if item.id == conversation_id:
                return item
        return None

    def identifiers(self, case_id: uuid.UUID) -> list[StoredIdentifier]:
        """Every identifier of a case's chats with the conversations and messages it is in."""
        query = (
            select(
                chat_identifiers.c.kind,
                chat_identifiers.c.value,
                chat_identifiers.c.e164,
                chat_messages.c.id.label("message_id"),
                chat_messages.c.conversation_id,
            )
            .join(
                chat_identifier_messages,
                chat_identifier_messages.c.identifier_id == chat_identifiers.c.id,
            )
            .join(chat_messages, chat_messages.c.id == chat_identifier_messages.c.message_id)
            .where(chat_identifiers.c.case_id == case_id)
            .order_by(chat_identifiers.c.kind, chat_identifiers.c.value, chat_messages.c.id)
        )
        grouped: dict[tuple[str, str], tuple[bool, set[int], list[int]]] = {}
        with reading(self._engine) as connection:
            for r in connection.execute(query):
                entry = grouped.setdefault((r.kind, r.value), (bool(r.e164), set(), []))
                entry[1].add(int(r.conversation_id))
                entry[2].append(int(r.message_id))
        return [
            StoredIdentifier(kind, value, e164, tuple(sorted(convs)), tuple(msgs))
            for (kind, value), (e164, convs, msgs) in grouped.items()
        ]

    def participants(self, case_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every participant of a case's conversations, with the conversation's platform."""
        query = (
            select(
                chat_participants,
                chat_conversations.c.platform,
                chat_conversations.c.key.label("conversation_key"),
                chat_conversations.c.kind.label("conversation_kind"),
            )
            .join(
                chat_conversations, chat_conversations.c.id == chat_participants.c.conversation_id
            )
            .where(chat_conversations.c.case_id == case_id)
            .order_by(chat_participants.c.id)
        )
        with reading(self._engine) as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def notes(self, case_id: uuid.UUID) -> list[dict[str, Any]]:
        """The limits and problems recorded for a case's chat sources."""
        query = select(chat_notes).where(chat_notes.c.case_id == case_id).order_by(chat_notes.c.id)
        with reading(self._engine) as connection:
            return [dict(row._mapping) for row in connection.execute(query)]
