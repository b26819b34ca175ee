"""A small stored chat for the tests of the chat reads: a group of three where Sam shares a
photo and writes an e-mail address, through the repository's own writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.chats import Conversation, Participant

SAM = Participant("user1", "Sam")
KIM = Participant("user2", "Kim", owner=True)
JO = Participant(None, None, "+447700900123")
PHOTO = "a" * 64


@dataclass(frozen=True)
class StoredChat:
    case_id: uuid.UUID
    conversation_id: int
    messages: dict[str, int]


def message(key: str, sender: Participant, text: str, minute: int | None) -> dict[str, Any]:
    """A message row (``minute``: its UTC minute past 10:00, ``None``: no UTC time)."""
    return {
        "key": key,
        "position": f"message {key}",
        "sender_key": sender.key,
        "sender_name": sender.name,
        "recipients": None,
        "sent_at": None if minute is None else datetime(2024, 1, 1, 10, minute, tzinfo=UTC),
        "time_text": "",
        "local_time": None if minute is not None else datetime(2024, 1, 1, 9, 0),
        "text": text,
        "service": False,
        "action": None,
        "reply_to": None,
        "forwarded_from": None,
        "edited": False,
        "edited_at": None,
        "deleted": False,
    }


def attachment(case_id: uuid.UUID, message_id: int, **values: Any) -> dict[str, Any]:
    """An attachment row, present with ``PHOTO`` as its hash unless ``values`` say else."""
    row = {
        "message_id": message_id,
        "case_id": case_id,
        "ordinal": 0,
        "name": "p.jpg",
        "path": "photos/p.jpg",
        "kind": "photo",
        "size": 6,
        "mime": None,
        "present": True,
        "sha256": PHOTO,
        "md5": None,
        "note": "",
    }
    return {**row, **values}


def store_chat(store: SqlStore, kind: str | None = "private_group") -> StoredChat:
    with store.transaction() as tx:
        case, _ = store.cases.ensure_case(tx, "C1")
        chats = store.chats
        conversation = Conversation("telegram:9", "telegram", "Group", kind, (SAM, KIM, JO))
        ident = chats.ensure_conversation(tx, case.id, conversation)
        chats.add_participants(tx, ident, conversation.participants)
        rows = [
            message("3", KIM, "later", None),
            message("2", SAM, "mail sam@x.test", 5),
            message("1", SAM, "", 1),
        ]
        ids = chats.add_messages(tx, ident, rows)
        chats.add_attachments(tx, [attachment(case.id, ids["1"])])
        found = chats.add_identifiers(tx, case.id, {("email", "sam@x.test"): False})
        chats.link_identifiers(tx, [(found[("email", "sam@x.test")], ids["2"])])
    return StoredChat(case.id, ident, ids)
