"""Stored conversations as the network graph takes them (``ChatThread``): participants,
senders with their first message, the media each sender shared, and the identifiers each
wrote, with the conversation's case and agency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, func, select

from interlink.adapters.sql.chat_schema import (
    chat_attachments,
    chat_conversations,
    chat_identifier_messages,
    chat_identifiers,
    chat_messages,
    chat_participants,
)
from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import agencies, cases
from interlink.domain.chats import ChatThread, Participant

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


def threads(engine: Engine) -> Iterator[ChatThread]:
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
    with reading(engine) as connection:
        conversations = connection.execute(owners).all()
    for row in conversations:
        yield _thread(engine, row)


def _thread(engine: Engine, row: Any) -> ChatThread:
    ident = int(row.id)
    messages = chat_messages.c
    with reading(engine) as connection:
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
                .where(messages.conversation_id == ident, chat_attachments.c.sha256.is_not(None))
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
