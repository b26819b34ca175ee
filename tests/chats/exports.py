"""Writers of small chat exports in each tool's own shape, for tests (non-explicit text)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, TypeVar

from interlink.chats import readers
from interlink.chats.exports import Found, Root, find_exports
from interlink.domain.chats import ChatFormat

T = TypeVar("T")

TELEGRAM_NOT_EXPORTED = "(File not included. Change data exporting settings to download.)"


def telegram_message(
    ident: int,
    sender: str,
    sender_id: str,
    text: Any,
    unixtime: int = 1_700_000_000,
    **extra: Any,
) -> dict[str, Any]:
    """A Telegram Desktop message object."""
    message: dict[str, Any] = {
        "id": ident,
        "type": "message",
        "date": "2023-11-14T22:13:20",
        "date_unixtime": str(unixtime + ident * 60),
        "from": sender,
        "from_id": sender_id,
        "text": text,
    }
    if isinstance(text, list):
        message["text_entities"] = [
            p if isinstance(p, dict) else {"type": "plain", "text": p} for p in text
        ]
    else:
        message["text_entities"] = [{"type": "plain", "text": text}] if text else []
    message.update(extra)
    return message


def telegram_chat(
    messages: list[dict[str, Any]], name: str = "Robin", ident: int = 4242
) -> dict[str, Any]:
    """A single-chat ``result.json`` document."""
    return {"name": name, "type": "personal_chat", "id": ident, "messages": messages}


def write_json(path: Path, document: Any) -> Path:
    """``document`` as indented UTF-8 JSON at ``path`` (folders made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def telegram_export(folder: Path) -> Path:
    """A single-chat Telegram export with a photo present and a video left out."""
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    (folder / "photos" / "photo_1@14-11-2023_22-14-20.jpg").write_bytes(
        b"\xff\xd8\xff\xe0 not a real jpeg"
    )
    messages = [
        telegram_message(1, "Sam", "user1001", "hi, how old are you?"),
        telegram_message(2, "Robin", "user4242", "I'm 14. you?"),
        telegram_message(
            3,
            "Sam",
            "user1001",
            [
                "call me on ",
                {"type": "phone", "text": "+44 7700 900123"},
                " or write to ",
                {"type": "email", "text": "Sam.Example@Mail.test"},
            ],
        ),
        telegram_message(
            4,
            "Sam",
            "user1001",
            "",
            photo="photos/photo_1@14-11-2023_22-14-20.jpg",
            width=10,
            height=10,
        ),
        telegram_message(
            5,
            "Sam",
            "user1001",
            "join https://t.me/+AbCdEfGh1234 and don't tell anyone",
            file=TELEGRAM_NOT_EXPORTED,
            media_type="video_file",
            mime_type="video/mp4",
            file_size=5000,
            reply_to_message_id=2,
        ),
        {
            "id": 6,
            "type": "service",
            "date": "2023-11-14T22:20:00",
            "date_unixtime": "1700000400",
            "actor": "Sam",
            "actor_id": "user1001",
            "action": "phone_call",
            "text": "",
            "text_entities": [],
        },
    ]
    return write_json(folder / "result.json", telegram_chat(messages))


WHATSAPP_ANDROID = """12/31/20, 11:58 PM - Messages and calls are end-to-end encrypted.
12/31/20, 11:59 PM - Alex: hello there
how was school?
1/13/21, 9:05 AM - Jo: fine. add me on snap
1/13/21, 9:06 AM - Alex: IMG-20210113-WA0001.jpg (file attached)
1/13/21, 9:07 AM - Alex: <Media omitted>
1/13/21, 9:08 AM - +44 7700 900456: This message was deleted
"""

WHATSAPP_IOS_FR = (
    "[31/12/2020 23:59:01] Camille\u202f: salut\n"
    "\u200e[13/01/2021 09:05:10] Léa: "
    "\u200e<pièce jointe : 00000012-PHOTO-2021-01-13-09-05-10.jpg>\n"
    "[13/01/2021 09:06:00] Léa: on se voit demain ? <Ce message a été modifié>\n"
)


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip at ``path`` holding ``members``."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def discord_export(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """A DiscordChatExporter channel document."""
    return {
        "guild": {"id": "900", "name": "Study Group", "iconUrl": "x.png"},
        "channel": {
            "id": "901",
            "type": "GuildTextChat",
            "categoryId": "1",
            "category": "Text",
            "name": "general",
            "topic": None,
        },
        "dateRange": {"after": None, "before": None},
        "exportedAt": "2023-11-15T10:00:00+00:00",
        "messages": messages,
        "messageCount": len(messages),
    }


def discord_message(
    ident: str, author: str, author_id: str, content: str, **extra: Any
) -> dict[str, Any]:
    """A DiscordChatExporter message."""
    message: dict[str, Any] = {
        "id": ident,
        "type": "Default",
        "timestamp": "2023-11-14T22:13:20.123+00:00",
        "timestampEdited": None,
        "callEndedTimestamp": None,
        "isPinned": False,
        "content": content,
        "author": {
            "id": author_id,
            "name": author,
            "discriminator": "0000",
            "nickname": author.title(),
            "color": None,
            "isBot": False,
            "roles": [],
            "avatarUrl": "a.png",
        },
        "attachments": [],
        "embeds": [],
        "stickers": [],
        "reactions": [],
        "mentions": [],
    }
    message.update(extra)
    return message


def mojibake(text: str) -> str:
    """``text`` as Meta writes it: its UTF-8 bytes read as Latin-1."""
    return text.encode("utf-8").decode("latin-1")


def meta_thread(
    messages: list[dict[str, Any]], title: str, participants: list[str], thread: str
) -> dict[str, Any]:
    """A Messenger/Instagram ``message_N.json`` shard (participants first, header last)."""
    return {
        "participants": [{"name": mojibake(n)} for n in participants],
        "messages": messages,
        "title": mojibake(title),
        "is_still_participant": True,
        "thread_path": thread,
        "magic_words": [],
    }


UFDR_NS = "http://pa.cellebrite.com/report/2.0"


def _field(name: str, value: str, kind: str = "String") -> str:
    value_element = f'<value type="{kind}"><![CDATA[{value}]]></value>'
    return f'<field name="{name}" type="{kind}">{value_element}</field>'


def _party(identifier: str, name: str, owner: bool = False) -> str:
    return (
        '<model type="Party" id="p-'
        + identifier
        + '" deleted_state="Intact">'
        + _field("Identifier", identifier)
        + _field("Name", name)
        + _field("IsPhoneOwner", "True" if owner else "False", "Boolean")
        + "</model>"
    )


def ufdr_message(
    ident: str,
    sender: tuple[str, str, bool],
    to: tuple[str, str, bool],
    body: str,
    stamp: str,
    deleted: bool = False,
    attachment: str | None = None,
) -> str:
    """One ``InstantMessage`` model."""
    parts = [
        f'<model type="InstantMessage" id="{ident}" '
        f'deleted_state="{"Deleted" if deleted else "Intact"}" decoding_confidence="High">',
        _field("Source", "WhatsApp"),
        _field("TimeStamp", stamp, "TimeStamp"),
        '<modelField name="From" type="Party">' + _party(*sender) + "</modelField>",
        '<multiModelField name="To" type="Party">' + _party(*to) + "</multiModelField>",
        _field("Body", body),
    ]
    if attachment:
        parts.append(
            '<multiModelField name="Attachments" type="Attachment"><model type="Attachment" id="a-'
            + ident
            + '" deleted_state="Intact">'
            + _field("Filename", attachment.rsplit("/", 1)[-1])
            + _field("ContentType", "image/jpeg")
            + _field("Size", "20")
            + _field("attachment_extracted_path", attachment)
            + "</model></multiModelField>"
        )
    parts.append("</model>")
    return "".join(parts)


def ufdr_report(messages: list[str], tagged: str = "") -> str:
    """A ``report.xml`` with one WhatsApp chat holding ``messages``."""
    owner = ("447700900111@s.whatsapp.net", "Owner", True)
    other = ("447700900222@s.whatsapp.net", "Kim", False)
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<project xmlns="{UFDR_NS}" name="test">\n'
        + tagged
        + '<decodedData><modelType type="Chat">'
        + '<model type="Chat" id="chat-1" deleted_state="Intact">'
        + _field("Source", "WhatsApp")
        + _field("Id", "chat-1")
        + _field("Name", "Kim")
        + '<multiModelField name="Participants" type="Party">'
        + _party(*owner)
        + _party(*other)
        + "</multiModelField>"
        + '<multiModelField name="Messages" type="InstantMessage">\n'
        + "\n".join(messages)
        + "\n</multiModelField></model></modelType></decodedData>\n</project>\n"
    )


def tagged_file(local_path: str, sha256: str) -> str:
    """A ``taggedFiles`` section naming one file and its SHA-256."""
    return (
        '<taggedFiles><file id="f1" path="/data/x.jpg" size="20" deleted="Intact">'
        '<metadata section="File"><item name="Local Path"><![CDATA['
        + local_path.replace("/", "\\")
        + ']]></item><item name="SHA256">'
        + sha256
        + "</item></metadata></file></taggedFiles>\n"
    )


def read_all(path: Path, fmt: ChatFormat | None = None, region: str | None = None) -> list[Any]:
    """Every item read from ``path`` (a file, zip or folder), export problems included."""
    found: list[Any] = []
    with Root(path) as root:
        for item in find_exports(root, fmt, region):
            if isinstance(item, Found):
                found.extend(readers.read(item.format, item.file))
            else:
                found.append(item)
    return found


def of_type(items: list[Any], kind: type[T]) -> list[T]:
    """The items of one type."""
    return [item for item in items if isinstance(item, kind)]
