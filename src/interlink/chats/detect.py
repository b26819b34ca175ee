"""Which chat format a file is, from its content (and, for Meta's two apps, its path).

``detect`` reads only the head of a file: JSON keys that each exporter writes near the top,
WhatsApp's first line, Cellebrite's report namespace. ``None`` means no chat format.
"""

from __future__ import annotations

import re

from interlink.chats.base import clean
from interlink.chats.whatsapp import _ANDROID, _IOS
from interlink.domain.chats import ChatFormat

HEAD = 64 * 1024
_CELLEBRITE = b"pa.cellebrite.com/report"


def _json_keys(text: str) -> set[str]:
    return set(re.findall(r'"([A-Za-z_]+)"\s*:', text))


def detect(head: bytes, path: str) -> ChatFormat | None:
    """The format of a file whose first bytes are ``head`` and whose path in the export is
    ``path``; ``None`` when it is not a chat export Interlink reads."""
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lower = path.replace("\\", "/").casefold()
    if stripped.startswith(b"<"):
        return ChatFormat.UFDR if _CELLEBRITE in head else None
    if stripped.startswith(b"{"):
        keys = _json_keys(stripped.decode("utf-8", errors="replace"))
        if "guild" in keys and "channel" in keys:
            return ChatFormat.DISCORD
        if "messages" in keys and (
            {"date_unixtime", "from_id", "text_entities"} & keys
            or "personal_information" in keys
            or ("chats" in keys and "about" in keys)
        ):
            return ChatFormat.TELEGRAM
        if {"participants", "messages"} <= keys or {"sender_name", "timestamp_ms"} <= keys:
            return ChatFormat.INSTAGRAM if "instagram" in lower else ChatFormat.MESSENGER
        return None
    text = clean(stripped[:2048].decode("utf-8", errors="replace"))
    first = text.splitlines()[0] if text else ""
    if _ANDROID.match(first) or _IOS.match(first):
        return ChatFormat.WHATSAPP
    return None
