"""The store of chat evidence: conversations, participants, messages, attachments,
identifiers, cue hits, and each source's limits and problems.

Writes take the caller's connection (one transaction per batch) and skip rows already stored
under the same key, so an export imported twice is stored once. Reads open their own
connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

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
from interlink.adapters.sql.schema import agencies, cases, media, media_matches, sightings
from interlink.chats.base import digest
from interlink.domain.chats import ChatThread, Conversation, Participant


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


#: Conversation kinds that are groups whatever their number of participants.
GROUP_KINDS = frozenset(
    {
        "private_group",
        "private_supergroup",
        "public_supergroup",
        "public_channel",
        "private_channel",
        "guildtextchat",
        "guildvoicechat",
        "guildnewschat",
        "directgroupchat",
        "regulargroup",
        "group",
    }
)


def _found_elsewhere(connection: Connection, row: Mapping[str, Any]) -> str | None:
    """The SHA-256 of a stored media that is the attachment the export left out: the same
    MD5, or (without a hash) a sighting with the same file name and size."""
    if row["md5"]:
        query = select(media.c.sha256).where(media.c.md5 == row["md5"]).limit(1)
        return connection.execute(query).scalar()
    if row["present"] or not row["name"] or row["size"] is None:
        return None
    name = str(row["name"])
    query = (
        select(sightings.c.sha256)
        .where(sightings.c.size == int(row["size"]))
        .where((sightings.c.path == name) | sightings.c.path.endswith("/" + name))
        .limit(1)
    )
    found = connection.execute(query).scalar()
    return None if found is None else str(found)


def _label(row: Any) -> str:
    return str(row.account or row.name or row.phone or row.key)


class ChatRepository:
    """Chat evidence in the SQL store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

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

    # -- reads ---------------------------------------------------------------------------

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
        with self._engine.connect() as connection:
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
        with self._engine.connect() as connection:
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
        with self._engine.connect() as connection:
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
        with self._engine.connect() as connection:
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
        with self._engine.connect() as connection:
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
        with self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def attachments(self, case_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every attachment of a case's chats with its message's sender, time and
        conversation, the stored media it is (``media_sha256``: its own SHA-256; for a file
        the export left out, the media a scan found with the MD5 the export gave, or else with
        the same file name and size), that media's known-list matches, and whether a scan
        found it (``found_by_scan``)."""
        query = (
            select(
                chat_attachments,
                chat_messages.c.sender_key,
                chat_messages.c.sent_at,
                chat_messages.c.time_text,
                chat_messages.c.conversation_id,
                chat_messages.c.key.label("message_key"),
            )
            .join(chat_messages, chat_messages.c.id == chat_attachments.c.message_id)
            .where(chat_attachments.c.case_id == case_id)
            .order_by(chat_attachments.c.id)
        )
        with self._engine.connect() as connection:
            rows = [dict(row._mapping) for row in connection.execute(query)]
            for row in rows:
                row["media_sha256"] = row["sha256"] or _found_elsewhere(connection, row)
            hashes = sorted({str(r["media_sha256"]) for r in rows if r["media_sha256"]})
            matched: dict[str, int] = {}
            seen: set[str] = set()
            for start in range(0, len(hashes), CHUNK):
                part = hashes[start : start + CHUNK]
                for m in connection.execute(
                    select(media_matches.c.sha256, func.count().label("n"))
                    .where(media_matches.c.sha256.in_(part))
                    .group_by(media_matches.c.sha256)
                ):
                    matched[m.sha256] = int(m.n)
                seen.update(
                    s.sha256
                    for s in connection.execute(
                        select(sightings.c.sha256).where(sightings.c.sha256.in_(part)).distinct()
                    )
                )
        for row in rows:
            sha = row["media_sha256"]
            row["known_matches"] = matched.get(sha, 0) if sha else 0
            row["found_by_scan"] = bool(sha and sha in seen)
        return rows

    def threads(self) -> Iterator[ChatThread]:
        """Every stored conversation as the network graph takes it (``ChatThread``), with its
        case and agency, one conversation at a time."""
        owners = (
            select(
                chat_conversations,
                cases.c.name.label("case_name"),
                agencies.c.name.label("agency_name"),
            )
            .join(cases, cases.c.id == chat_conversations.c.case_id)
            .outerjoin(agencies, agencies.c.id == cases.c.agency_id)
            .order_by(chat_conversations.c.id)
        )
        with self._engine.connect() as connection:
            conversations = connection.execute(owners).all()
        for row in conversations:
            yield self._thread(row)

    def _thread(self, row: Any) -> ChatThread:
        ident = int(row.id)
        messages = chat_messages.c
        with self._engine.connect() as connection:
            people = [
                Participant(p.account, p.name, p.phone, bool(p.owner))
                for p in connection.execute(
                    select(chat_participants)
                    .where(chat_participants.c.conversation_id == ident)
                    .order_by(chat_participants.c.id)
                )
            ]
            senders = tuple(
                (r.sender_key, r.first)
                for r in connection.execute(
                    select(messages.sender_key, func.min(messages.sent_at).label("first"))
                    .where(messages.conversation_id == ident, messages.sender_key.is_not(None))
                    .group_by(messages.sender_key)
                    .order_by(messages.sender_key)
                )
            )
            shared = tuple(
                (r.sender_key, r.sha256, r.sent_at)
                for r in connection.execute(
                    select(messages.sender_key, chat_attachments.c.sha256, messages.sent_at)
                    .join(chat_attachments, chat_attachments.c.message_id == messages.id)
                    .where(
                        messages.conversation_id == ident, chat_attachments.c.sha256.is_not(None)
                    )
                    .order_by(chat_attachments.c.id)
                )
                if r.sender_key
            )
            written = tuple(
                (r.sender_key, r.kind, r.value)
                for r in connection.execute(
                    select(messages.sender_key, chat_identifiers.c.kind, chat_identifiers.c.value)
                    .join(
                        chat_identifier_messages,
                        chat_identifier_messages.c.message_id == messages.id,
                    )
                    .join(
                        chat_identifiers,
                        chat_identifiers.c.id == chat_identifier_messages.c.identifier_id,
                    )
                    .where(messages.conversation_id == ident, messages.sender_key.is_not(None))
                    .where(
                        chat_identifiers.c.kind.in_(("email", "invite"))
                        | ((chat_identifiers.c.kind == "phone") & chat_identifiers.c.e164)
                    )
                    .distinct()
                )
            )
        group = len(people) > 2 or (row.kind or "").casefold() in GROUP_KINDS
        return ChatThread(
            row.platform,
            row.key,
            row.title,
            group,
            tuple(people),
            senders,
            shared,
            written,
            row.case_name,
            row.agency_name,
        )

    def notes(self, case_id: uuid.UUID) -> list[dict[str, Any]]:
        """The limits and problems recorded for a case's chat sources."""
        query = select(chat_notes).where(chat_notes.c.case_id == case_id).order_by(chat_notes.c.id)
        with self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]
