"""Telegram Desktop exports (``result.json``): one chat, or a whole account (``chats.list``,
``left_chats.list``, ``personal_information`` naming the owner).

Kept: ``from_id``/``actor_id`` as the account, ``from``/``actor`` as the display name,
``date_unixtime`` as the UTC time (``date`` is the exporting machine's local time, kept as
text), ``text`` as a string or as parts, ``text_entities`` (mentions, phones, e-mails, links),
service messages with their ``action``, replies, forwards, edits, and media: a path relative
to the export folder, or the placeholder Telegram writes when media was not exported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import ijson

from interlink.chats.base import ExportFile, clean, from_epoch
from interlink.chats.jsonstream import ITEM, SCALAR, START, walk
from interlink.domain.chats import (
    Attachment,
    ChatItem,
    ChatProblem,
    Conversation,
    Message,
    Participant,
    SourceLimit,
)

PLATFORM = "telegram"
#: Media keys of a message and the kind of attachment each holds.
MEDIA_KEYS: Mapping[str, str] = {
    "photo": "photo",
    "file": "file",
    "thumbnail": "thumbnail",
}
#: Entity types of ``text_entities`` that name an identifier, and the identifier kind.
ENTITY_KINDS: Mapping[str, str] = {
    "mention": "mention",
    "mention_name": "mention",
    "phone": "phone",
    "email": "email",
    "link": "url",
    "text_link": "url",
}
_CHAT_FIELDS = ("name", "type", "id")
_SINGLE = {f: f for f in _CHAT_FIELDS}
_ACCOUNT_LISTS = ("chats.list.item", "left_chats.list.item")
_OWNER = {
    "personal_information.user_id": "user_id",
    "personal_information.first_name": "first_name",
    "personal_information.last_name": "last_name",
    "personal_information.phone_number": "phone_number",
    "personal_information.username": "username",
}


def _text(value: Any) -> str:
    """A message's ``text``: a string, or a list of strings and ``{"type", "text"}`` parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in value
            if isinstance(part, str | dict)
        )
    return ""


def _entities(message: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    parts = message.get("text_entities")
    if not parts and isinstance(parts, list) and isinstance(message.get("text"), str):
        return ()  # the common case: plain text, nothing marked
    if not isinstance(parts, list):
        raw = message.get("text")
        parts = [p for p in raw if isinstance(p, dict)] if isinstance(raw, list) else []
    for part in parts:
        if not isinstance(part, dict):
            continue
        kind = ENTITY_KINDS.get(str(part.get("type", "")))
        value = part.get("href") if part.get("type") == "text_link" else part.get("text")
        if kind and isinstance(value, str) and value:
            found.append((kind, value))
    return tuple(found)


def _attachments(message: Mapping[str, Any], export: ExportFile) -> tuple[Attachment, ...]:
    if "photo" not in message and "file" not in message and "thumbnail" not in message:
        return ()
    found = []
    for key, kind in MEDIA_KEYS.items():
        value = message.get(key)
        if not isinstance(value, str) or not value:
            continue
        if key == "thumbnail" and ("file" in message or "photo" in message):
            continue  # a video's or file's preview: the file itself is what was sent
        media_type = message.get("media_type")
        size = message.get("file_size") or message.get("photo_file_size")
        if value.startswith("(") and value.endswith(")"):
            found.append(
                Attachment(
                    name=message.get("file_name")
                    if isinstance(message.get("file_name"), str)
                    else None,
                    kind=str(media_type or kind),
                    size=int(size) if isinstance(size, int | float) else None,
                    mime=message.get("mime_type")
                    if isinstance(message.get("mime_type"), str)
                    else None,
                    present=False,
                    note=value.strip("()"),
                )
            )
            continue
        located = export.locate(value)
        found.append(
            Attachment(
                name=value.rsplit("/", 1)[-1],
                path=located or value,
                kind=str(media_type or kind),
                size=int(size) if isinstance(size, int | float) else None,
                mime=message.get("mime_type")
                if isinstance(message.get("mime_type"), str)
                else None,
                present=located is not None,
                note="" if located else "not found beside the export",
            )
        )
    return tuple(found)


def _participant(account: Any, name: Any, owner: str | None) -> Participant | None:
    account_text = str(account) if account not in (None, "") else None
    return _person(account_text, name if isinstance(name, str) else None, owner)


@lru_cache(maxsize=4096)
def _person(account: str | None, name: str | None, owner: str | None) -> Participant | None:
    name_text = clean(name) if name is not None else None
    if account is None and name_text is None:
        return None
    return Participant(account, name_text, owner=account is not None and account == owner)


def message(
    raw: Any, conversation: str, index: int, export: ExportFile, owner: str | None
) -> Message:
    """One Telegram message (``index``: its place in the file, for problems)."""
    if not isinstance(raw, dict):
        raise ValueError("a message is not a JSON object")
    service = raw.get("type") == "service"
    sender = _participant(
        raw.get("actor_id" if service else "from_id") or raw.get("from_id"),
        raw.get("actor" if service else "from") or raw.get("from"),
        owner,
    )
    ident = raw.get("id")
    if ident is None:
        raise ValueError("a message without an id")
    reply = raw.get("reply_to_message_id")
    forwarded = raw.get("forwarded_from")
    edited = raw.get("edited_unixtime") or raw.get("edited")
    return Message(
        conversation=conversation,
        key=str(ident),
        position=f"message {index} (id {ident})",
        sender=sender,
        sent_at=from_epoch(raw.get("date_unixtime")),
        time_text=str(raw.get("date", "")),
        text=clean(_text(raw.get("text"))),
        service=service,
        action=str(raw["action"]) if service and raw.get("action") else None,
        reply_to=None if reply is None else str(reply),
        forwarded_from=forwarded if isinstance(forwarded, str) else None,
        edited_at=from_epoch(raw.get("edited_unixtime")),
        edited=bool(edited),
        attachments=_attachments(raw, export),
        entities=_entities(raw),
    )


def read(export: ExportFile) -> Iterator[ChatItem]:
    """Every conversation and message of a ``result.json``; see the module docstring."""
    yield SourceLimit(export.source, "deleted messages are not exported by Telegram Desktop")
    starts = set(_ACCOUNT_LISTS)
    scalars = {*_SINGLE, *_OWNER, *(f"{p}.{f}" for p in _ACCOUNT_LISTS for f in _CHAT_FIELDS)}
    items = {"messages.item", *(f"{p}.messages.item" for p in _ACCOUNT_LISTS)}
    header: dict[str, Any] = {}
    owner: dict[str, Any] = {}
    current: str | None = None
    count = 0
    single = True
    with export.open() as stream:
        try:
            for event, prefix, value in walk(stream, items=items, scalars=scalars, starts=starts):
                if event == START:
                    header, current, single = {}, None, False
                elif event == SCALAR:
                    if prefix in _OWNER:
                        owner[_OWNER[prefix]] = value
                    else:
                        header[prefix.rsplit(".", 1)[-1]] = value
                elif event == ITEM:
                    count += 1
                    if current is None:
                        conversation = _conversation(header, owner, export, single)
                        current = conversation.key
                        yield conversation
                        if not owner and single:
                            yield SourceLimit(
                                export.source, "a one-chat export does not name its owner"
                            )
                    try:
                        yield message(value, current, count, export, _owner_id(owner))
                    except (ValueError, TypeError) as exc:
                        yield ChatProblem(export.source, f"message {count}", str(exc))
        except ijson.JSONError as exc:
            yield ChatProblem(export.source, f"after message {count}", f"JSON breaks: {exc}")


def _owner_id(owner: Mapping[str, Any]) -> str | None:
    user = owner.get("user_id")
    return None if user is None else f"user{user}"


def _conversation(
    header: Mapping[str, Any], owner: Mapping[str, Any], export: ExportFile, single: bool
) -> Conversation:
    ident = header.get("id")
    key = f"{PLATFORM}:{ident}" if ident is not None else f"{PLATFORM}:{export.source}"
    kind = str(header.get("type")) if header.get("type") else None
    participants = []
    if kind == "personal_chat" and ident is not None:
        participants.append(
            Participant(f"user{ident}", clean(str(header.get("name") or "")) or None)
        )
    owner_id = _owner_id(owner)
    if owner_id is not None:
        name = " ".join(str(owner[f]) for f in ("first_name", "last_name") if owner.get(f))
        phone = owner.get("phone_number")
        participants.append(
            Participant(owner_id, name or None, str(phone) if phone else None, owner=True)
        )
    title = header.get("name")
    return Conversation(
        key,
        PLATFORM,
        clean(title) if isinstance(title, str) else None,
        kind,
        tuple(participants),
        export.source,
    )
