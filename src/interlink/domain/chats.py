"""Chat evidence: conversations, participants, messages and attachments read from the exports
of messaging apps (Telegram, WhatsApp, Discord, Messenger, Instagram) and from forensic
extraction reports (Cellebrite UFDR).

Records keep what the source says and nothing more. Whatever a format cannot tell (WhatsApp
has no account ids, Messenger names people only by display name) is left empty and recorded
once per source as a ``SourceLimit``, never guessed. Times are UTC; the source's own text of a
time is kept beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ChatFormat(StrEnum):
    """The export formats Interlink reads."""

    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    DISCORD = "discord"
    MESSENGER = "messenger"
    INSTAGRAM = "instagram"
    UFDR = "ufdr"


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone in a conversation: the account as the platform names it (``account``, its own
    id or user name), the display name, a phone number when the source gives one, and whether
    this is the owner of the device or of the export."""

    account: str | None = None
    name: str | None = None
    phone: str | None = None
    owner: bool = False

    @property
    def key(self) -> str:
        """Who this is within one export: the account, else the phone, else ``name:<name>``."""
        if self.account:
            return self.account
        if self.phone:
            return f"phone:{self.phone}"
        return f"name:{self.name or '?'}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent in a message.

    ``path`` is where the export put it (relative to the export file's folder, or a member of
    its archive); ``present`` is false when the export left the file out (Telegram's "File not
    included" placeholders, a missing media folder): the record is then a reference to look
    for. ``sha256``/``md5`` are hashes the source gives, or that the import computed from
    the file itself.
    """

    name: str | None = None
    path: str | None = None
    kind: str = "file"
    size: int | None = None
    mime: str | None = None
    present: bool = False
    sha256: str | None = None
    md5: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """One message of conversation ``conversation`` (a key within its export).

    ``key`` is the source's message id or, when it has none, a digest of what identifies the
    message (so that importing the same export twice adds nothing). ``position`` names the
    message in its file (``line 12``, ``message 40``) for problems and reports. ``local_time``
    is the device's clock time when the source gives no zone (naive; ``sent_at`` is then
    ``None``: a zone is never guessed). ``service`` is true for the platform's own notices
    (joins, pins, calls). ``entities`` are the typed spans the export itself marked
    (``("phone", "+44...")``).
    """

    conversation: str
    key: str
    position: str
    sender: Participant | None = None
    recipients: tuple[Participant, ...] = ()
    sent_at: datetime | None = None
    time_text: str = ""
    local_time: datetime | None = None
    text: str = ""
    service: bool = False
    action: str | None = None
    reply_to: str | None = None
    forwarded_from: str | None = None
    edited_at: datetime | None = None
    edited: bool = False
    deleted: bool = False
    attachments: tuple[Attachment, ...] = ()
    entities: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Conversation:
    """A chat, group or channel: its key within the export, the platform, title and type,
    and the participants the source lists up front (more are met as senders)."""

    key: str
    platform: str
    title: str | None = None
    kind: str | None = None
    participants: tuple[Participant, ...] = ()
    source: str = ""


@dataclass(frozen=True, slots=True)
class SourceLimit:
    """Something a source cannot tell, stated once per source (``"no account ids"``)."""

    source: str
    limit: str


@dataclass(frozen=True, slots=True)
class ChatProblem:
    """Input that could not be read: the file, the place in it (``line 7``, ``message 12``,
    ``byte 4096``) and why; everything else of the file is still imported."""

    source: str
    position: str
    reason: str

    def display(self) -> str:
        """``file, position: reason``."""
        return f"{self.source}, {self.position}: {self.reason}"


ChatItem = Conversation | Message | SourceLimit | ChatProblem


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` of a message, the words that show a cue."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CueHit:
    """A grooming-risk cue shown by a message: the cue name, the message's index in the
    conversation (chronological), its key, and the spans of its text that show the cue."""

    cue: str
    index: int
    message_key: str
    spans: tuple[Span, ...] = field(default=())
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ChatThread:
    """What one stored conversation gives the network graph.

    ``senders`` are ``(participant key, first message time)``; ``shared`` are ``(sender key,
    SHA-256, time)`` of attachments whose content is known; ``written`` are ``(sender key,
    kind, value)`` identifiers a participant wrote (``phone`` in E.164, ``email``,
    ``invite``). ``group`` is true for a conversation of more than two people or a group,
    channel or server. ``case`` and ``agency`` say whose evidence it is.
    """

    platform: str
    key: str
    title: str | None
    group: bool
    participants: tuple[Participant, ...]
    senders: tuple[tuple[str, datetime | None], ...] = ()
    shared: tuple[tuple[str, str, datetime | None], ...] = ()
    written: tuple[tuple[str, str, str], ...] = ()
    case: str | None = None
    agency: str | None = None
