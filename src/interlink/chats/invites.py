"""Group invite links of Telegram (``t.me/+CODE``, ``t.me/joinchat/CODE``, ``tg://join``),
WhatsApp (``chat.whatsapp.com/CODE``), Discord (``discord.gg/CODE``,
``discord.com/invite/CODE``) and Signal (``signal.group/#CODE``), each named ``service:code``:
the key under which two seizures holding the same group's link meet. Only ``re``: cheap to
import wherever an invite link is written (a watch, a case identifier).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "telegram",
        re.compile(
            r"(?:t(?:elegram)?\.me|telegram\.dog)/(?:joinchat/|\+)([A-Za-z0-9_-]{8,})", re.I
        ),
    ),
    ("telegram", re.compile(r"tg://join\?invite=([A-Za-z0-9_-]{8,})", re.I)),
    ("whatsapp", re.compile(r"chat\.whatsapp\.com/(?:invite/)?([A-Za-z0-9]{10,})", re.I)),
    (
        "discord",
        re.compile(r"(?:discord\.gg|discord(?:app)?\.com/invite)/([A-Za-z0-9-]{2,})", re.I),
    ),
    ("signal", re.compile(r"signal\.group/#([A-Za-z0-9_%=+/-]{10,})", re.I)),
)
#: Lower-case strings one of which every invite link holds (a cheap test before the patterns).
HOSTS = ("t.me", "telegram.", "tg://", "whatsapp.com", "discord", "signal.group")


def invites(text: str) -> Iterator[tuple[str, str]]:
    """``(service:code, the link as written)`` for every invite link in ``text``."""
    lowered = text.lower()
    if not any(host in lowered for host in HOSTS):
        return
    for service, pattern in PATTERNS:
        for match in pattern.finditer(text):
            yield f"{service}:{match.group(1)}", match.group(0)


def invite_value(text: str) -> str:
    """``service:code`` of an invite given as a link (``https://t.me/+AbCd...``) or already as
    ``service:code`` (the service case-folded; the code is case-sensitive)."""
    found = next(invites(text), None)
    service, _, code = (found[0] if found else text.strip()).partition(":")
    return f"{service.casefold()}:{code}"
