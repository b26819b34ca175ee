"""Facebook Messenger and Instagram "Download your information" JSON: one thread per folder,
sharded into ``message_1.json`` (newest), ``message_2.json``, ..., messages newest first.

Meta writes UTF-8 text as if each byte were a Latin-1 character (``Ã©`` for ``é``): text
and names are repaired with ``ftfy``. People are named only by display name (no account
id, no phone): a limit of the source. ``is_unsent`` messages are kept as deleted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import ftfy
import ijson

from interlink.chats.base import ExportFile, clean, digest, from_epoch
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

#: Message keys that hold attachments, and the kind of each.
MEDIA_KEYS: Mapping[str, str] = {
    "photos": "photo",
    "videos": "video",
    "audio_files": "audio",
    "files": "file",
    "gifs": "gif",
}
_HEADER = {"title": "title", "thread_path": "thread_path", "thread_type": "thread_type"}


@lru_cache(maxsize=4096)
def repair(text: str) -> str:
    """``text`` with Meta's UTF-8-read-as-Latin-1 mojibake undone (ASCII is left as is)."""
    if text.isascii():
        return text
    return clean(ftfy.fix_text(text, normalization=None))


def _attachments(raw: Mapping[str, Any], export: ExportFile) -> tuple[Attachment, ...]:
    found = []
    for key, kind in MEDIA_KEYS.items():
        for item in raw.get(key) or []:
            if not isinstance(item, dict) or not item.get("uri"):
                continue
            uri = str(item["uri"])
            located = export.locate(uri)
            found.append(
                Attachment(
                    name=uri.rsplit("/", 1)[-1],
                    path=located or uri,
                    kind=kind,
                    present=located is not None,
                    note="" if located else "not found in the export",
                )
            )
    sticker = raw.get("sticker")
    if isinstance(sticker, dict) and sticker.get("uri"):
        uri = str(sticker["uri"])
        located = export.locate(uri)
        found.append(
            Attachment(
                uri.rsplit("/", 1)[-1], located or uri, "sticker", present=located is not None
            )
        )
    return tuple(found)


def message(
    raw: Any, thread: str, index: int, export: ExportFile, participants: tuple[Participant, ...]
) -> Message:
    """One Meta message (no id: its key is a digest of thread, sender, time and content)."""
    if not isinstance(raw, dict):
        raise ValueError("a message is not a JSON object")
    stamp = raw.get("timestamp_ms")
    if not isinstance(stamp, int | float):
        raise ValueError("a message without timestamp_ms")
    name = raw.get("sender_name")
    sender = Participant(name=repair(str(name))) if name else None
    content = raw.get("content")
    text = repair(content) if isinstance(content, str) else ""
    share = raw.get("share")
    entities: tuple[tuple[str, str], ...] = ()
    if isinstance(share, dict) and isinstance(share.get("link"), str):
        entities = (("url", share["link"]),)
    recipients = tuple(p for p in participants if sender is None or p.name != sender.name)
    return Message(
        conversation=thread,
        key=digest(thread, name, stamp, content),
        position=f"message {index}",
        sender=sender,
        recipients=recipients,
        sent_at=from_epoch(stamp / 1000),
        time_text=str(stamp),
        text=text,
        service=raw.get("type") not in (None, "Generic", "Share"),
        action=str(raw["type"]) if raw.get("type") not in (None, "Generic", "Share") else None,
        deleted=bool(raw.get("is_unsent")),
        attachments=_attachments(raw, export),
        entities=entities,
    )


def read(export: ExportFile, platform: str) -> Iterator[ChatItem]:
    """Every message of one shard of a Messenger or Instagram thread (``platform``)."""
    yield SourceLimit(export.source, "people are named by display name only (no account ids)")
    header: dict[str, Any] = {}
    names: list[str] = []
    current: Conversation | None = None
    count = 0
    items = {"messages.item"}
    with export.open() as stream:
        try:
            for event, prefix, value in walk(
                stream, items=items, scalars={*_HEADER, "participants.item.name"}
            ):
                if event == SCALAR and prefix == "participants.item.name":
                    names.append(repair(str(value)))
                elif event == SCALAR:
                    header[_HEADER[prefix]] = value
                elif event == ITEM:
                    count += 1
                    if current is None:
                        current = _conversation(header, names, export, platform)
                        yield current
                    try:
                        yield message(value, current.key, count, export, current.participants)
                    except (ValueError, TypeError) as exc:
                        yield ChatProblem(export.source, f"message {count}", str(exc))
        except ijson.JSONError as exc:
            yield ChatProblem(export.source, f"after message {count}", f"JSON breaks: {exc}")
    if (current is None and (names or header)) or (current is not None and header):
        # Meta writes the title and thread path after the messages: the conversation is
        # given again, complete, for the importer to update.
        yield _conversation(header, names, export, platform)


def _conversation(
    header: Mapping[str, Any], names: list[str], export: ExportFile, platform: str
) -> Conversation:
    parts = export.source.replace("\\", "/").split("/")
    # The thread's folder (``inbox/name_123``) is its thread path, known before the header.
    thread = "/".join(parts[-3:-1]) if len(parts) >= 3 else export.source
    key = f"{platform}:{thread}"
    title = header.get("title")
    return Conversation(
        key,
        platform,
        repair(str(title)) if title else None,
        str(header["thread_type"]) if header.get("thread_type") else None,
        tuple(Participant(name=name) for name in names),
        export.source,
    )
