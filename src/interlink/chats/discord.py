"""DiscordChatExporter JSON: one channel (``guild``, ``channel``, ``messages``).

Kept: the author's id as the account (``name`` and ``nickname`` as names), UTC timestamps,
edits, replies (``reference.messageId``), mentions, and attachments: a relative ``url`` is
a file beside the export (``--media``), an ``https://`` url a file the export left out.
Discord exports do not contain deleted messages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import ijson

from interlink.chats.base import ExportFile, clean, from_iso
from interlink.chats.jsonstream import ITEM, SCALAR, walk
from interlink.domain.chats import (
    Attachment,
    ChatItem,
    ChatProblem,
    Conversation,
    Message,
    Participant,
    SourceLimit,
)

PLATFORM = "discord"
_HEADER = {
    "guild.id": "guild_id",
    "guild.name": "guild",
    "channel.id": "channel_id",
    "channel.name": "channel",
    "channel.type": "type",
    "channel.category": "category",
}
_SERVICE_TYPES = frozenset({"Default", "Reply", "ThreadStarterMessage"})


def _author(raw: Any) -> Participant | None:
    if not isinstance(raw, dict) or raw.get("id") is None:
        return None
    name = raw.get("nickname") or raw.get("name")
    return Participant(str(raw["id"]), clean(str(name)) if name else None)


def _attachments(raw: Any, export: ExportFile) -> tuple[Attachment, ...]:
    found = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        url = str(item.get("url") or "")
        size = item.get("fileSizeBytes")
        remote = url.startswith(("http://", "https://"))
        located = None if remote or not url else export.locate(url)
        found.append(
            Attachment(
                name=str(item.get("fileName") or url.rsplit("/", 1)[-1]) or None,
                path=located or url or None,
                kind="file",
                size=int(size) if isinstance(size, int | float) else None,
                present=located is not None,
                note="exported as a link only"
                if remote
                else ""
                if located
                else "not found beside the export",
            )
        )
    return tuple(found)


def message(raw: Any, conversation: str, index: int, export: ExportFile) -> Message:
    """One DiscordChatExporter message."""
    if not isinstance(raw, dict) or raw.get("id") is None:
        raise ValueError("a message without an id")
    found = raw.get("reference")
    reference: dict[str, Any] = found if isinstance(found, dict) else {}
    mentions = tuple(
        ("mention", f"@{m.get('name')}")
        for m in raw.get("mentions") or []
        if isinstance(m, dict) and m.get("name")
    )
    edited = raw.get("timestampEdited")
    kind = str(raw.get("type") or "Default")
    return Message(
        conversation=conversation,
        key=str(raw["id"]),
        position=f"message {index} (id {raw['id']})",
        sender=_author(raw.get("author")),
        sent_at=from_iso(raw.get("timestamp")),
        time_text=str(raw.get("timestamp") or ""),
        text=clean(str(raw.get("content") or "")),
        service=kind not in _SERVICE_TYPES,
        action=None if kind in _SERVICE_TYPES else kind,
        reply_to=str(reference["messageId"]) if reference.get("messageId") else None,
        edited_at=from_iso(edited) if isinstance(edited, str) else None,
        edited=bool(edited),
        attachments=_attachments(raw.get("attachments"), export),
        entities=mentions,
    )


def read(export: ExportFile) -> Iterator[ChatItem]:
    """Every message of a DiscordChatExporter JSON file."""
    yield SourceLimit(export.source, "deleted messages are not exported by DiscordChatExporter")
    header: dict[str, Any] = {}
    current: str | None = None
    count = 0
    with export.open() as stream:
        try:
            for event, prefix, value in walk(stream, items={"messages.item"}, scalars=set(_HEADER)):
                if event == SCALAR:
                    header[_HEADER[prefix]] = value
                elif event == ITEM:
                    count += 1
                    if current is None:
                        conversation = _conversation(header, export)
                        current = conversation.key
                        yield conversation
                    try:
                        yield message(value, current, count, export)
                    except (ValueError, TypeError) as exc:
                        yield ChatProblem(export.source, f"message {count}", str(exc))
        except ijson.JSONError as exc:
            yield ChatProblem(export.source, f"after message {count}", f"JSON breaks: {exc}")


def _conversation(header: Mapping[str, Any], export: ExportFile) -> Conversation:
    channel = header.get("channel_id")
    key = f"{PLATFORM}:{channel}" if channel is not None else f"{PLATFORM}:{export.source}"
    title = " / ".join(str(header[k]) for k in ("guild", "channel") if header.get(k))
    return Conversation(
        key,
        PLATFORM,
        clean(title) or None,
        str(header["type"]) if header.get("type") else None,
        (),
        export.source,
    )
