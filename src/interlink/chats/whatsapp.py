"""WhatsApp ``.txt`` exports, Android (``31/12/2020, 23:59 - Name: text``) and iOS
(``[31/12/2020, 23:59:59] Name: text``), in any language's markers
(``interlink.chats.whatsapp_markers``), with or without media.

The day/month order is decided over the whole file (a first number above 12 means day first,
a second above 12 month first, otherwise the order under which dates never go backwards);
when nothing decides it, the country of ``--region`` does, and failing that the times are kept
as text only and the file carries a limit. WhatsApp writes the phone's local time without a
zone, and no account ids: names are the owner's contact names or phone numbers. Both are
limits of the source.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from pathlib import PurePosixPath
from typing import BinaryIO

from interlink.chats import whatsapp_markers as markers
from interlink.chats.base import ExportFile, clean, digest
from interlink.chats.whatsapp_ranks import Ranks, Revisits, moments
from interlink.domain.chats import (
    Attachment,
    ChatItem,
    ChatProblem,
    Conversation,
    Message,
    Participant,
    SourceLimit,
)

PLATFORM = "whatsapp"
_DATE = (
    r"(\d{1,4})[./-](\d{1,2})[./-](\d{2,4})\.?,?\s+"
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?\s*([AaPp]\.?\s?[Mm]\.?)?"
)
_ANDROID = re.compile(rf"^{_DATE}\s+[-\u2013]\s+(.*)$")
_IOS = re.compile(rf"^\[{_DATE}\]\s+(.*)$")
_PHONE_NAME = re.compile(r"^\+?[\d\s().\-]{7,}$")
_ANDROID_FILE = re.compile(
    r"^(.+?)\s+(" + "|".join(re.escape(m) for m in markers.FILE_ATTACHED) + r")\s*$", re.M
)
_IOS_FILE = re.compile("(" + "|".join(re.escape(m) for m in markers.IOS_ATTACHED) + r")\s*([^>]+)>")
_TITLE = re.compile(
    r"^(?:WhatsApp Chat with|WhatsApp Chat -|Discussion WhatsApp avec|WhatsApp-Chat mit|"
    r"Chat de WhatsApp con|Conversa do WhatsApp com|Chat WhatsApp con)\s+(.+)$",
    re.I,
)
#: Headers over which the day/month order is told by dates going backwards.
_ORDERED = 100_000
#: Countries whose phones write the month first.
MONTH_FIRST = frozenset({"US", "PH", "FM", "MH", "PW", "BZ", "GU", "AS", "PR", "VI", "MP", "UM"})


def _decode(raw: bytes, number: int, source: str, problems: list[ChatProblem]) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(ChatProblem(source, f"line {number}", "not UTF-8; read as Windows-1252"))
        return raw.decode("cp1252", errors="replace")


def _line(raw: bytes) -> str:
    """A line as the reader reads it (a line not in UTF-8 read as Windows-1252)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        line = raw.decode("cp1252", errors="replace")
    if not line.isascii():
        line = clean(line)
    return line.rstrip("\r\n")


def _headers(stream: BinaryIO, revisits: tuple[Revisits, Revisits]) -> Iterator[re.Match[str]]:
    """The header of every message; each change of time text goes to ``revisits`` (read
    day first, and month first)."""
    day_month, month_day = revisits
    previous = None
    for raw in stream:
        line = _line(raw)
        match = _ANDROID.match(line) or _IOS.match(line)
        if match:
            time_text = line[: match.start(8)].strip(" -\u2013[]")
            if time_text != previous:
                previous = time_text
                a, b, c, hour, minute, second, meridian = match.group(1, 2, 3, 4, 5, 6, 7)
                dm, md = moments(a, b, c, _clock(hour, minute, second, meridian))
                day_month.add(dm)
                month_day.add(md)
            yield match


def day_first(stream: BinaryIO, region: str | None) -> tuple[bool | None, str | None]:
    """Whether dates are day first (``None`` when undecidable), and a limit to record."""
    order, limit, _ = survey(stream, region)
    return order, limit


def survey(stream: BinaryIO, region: str | None) -> tuple[bool | None, str | None, Revisits]:
    """The first pass over a file: ``day_first``'s answer, and where the file's times go
    back (read in the order decided; ``whatsapp_ranks``)."""
    revisits = (Revisits(day_first=True), Revisits(day_first=False))
    order, limit, year_first = _order(_headers(stream, revisits), region)
    day_month, month_day = revisits
    if order is None and not year_first:
        # Undecided: either reading keeps the ranks exact; the one going back less keeps less.
        chosen = day_month if day_month.steps <= month_day.steps else month_day
    else:
        chosen = month_day if order is False else day_month
    chosen.close()
    return order, limit, chosen


def _order(
    headers: Iterator[re.Match[str]], region: str | None
) -> tuple[bool | None, str | None, bool]:
    """``day_first``'s answer over ``headers``, and whether the dates are year first."""
    first_big = second_big = year_first = False
    # Over the first ``_ORDERED`` headers, how often the date goes backwards read each way
    # (counted as they come: nothing kept that grows with the file).
    backwards_dm = backwards_md = 0
    previous = swapped = (0, 0, 0)
    dated = 0
    for match in headers:
        a, b, c = match.group(1, 2, 3)
        if year_first or len(a) == 4:
            year_first = True  # the order is fixed (Y-M-D); the pass goes on for ``revisits``
            continue
        x, y = int(a), int(b)
        first_big |= x > 12
        second_big |= y > 12
        if dated < _ORDERED:
            year = int(c)
            date, reversed_ = (year, x, y), (year, y, x)
            if dated:
                backwards_md += date < previous
                backwards_dm += reversed_ < swapped
            previous, swapped = date, reversed_
            dated += 1
    if year_first:
        return None, None, True
    if first_big and not second_big:
        return True, None, False
    if second_big and not first_big:
        return False, None, False
    if first_big and second_big:
        return None, "dates mix day-first and month-first forms; times kept as text only", False
    if backwards_dm != backwards_md:
        return backwards_dm < backwards_md, None, False
    if region:
        return region.upper() not in MONTH_FIRST, "day/month order taken from --region", False
    return None, "day/month order cannot be decided from the file; times kept as text only", False


def _local_time(match: re.Match[str], order: bool | None) -> datetime | None:
    """The time of a header: its date and its clock time, each read once per distinct text
    (a chat repeats its days and its minutes), put together by ``datetime`` (which refuses
    an impossible date or time)."""
    a, b, c, hour, minute, second, meridian = match.group(1, 2, 3, 4, 5, 6, 7)
    date = _date(a, b, c, order)
    if date is None:
        return None
    try:
        return datetime(*date, *_clock(hour, minute, second, meridian))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _date(a: str, b: str, c: str, order: bool | None) -> tuple[int, int, int] | None:
    """``(year, month, day)`` of a header's date numbers (``None``: the order is unknown)."""
    if len(a) == 4:
        return int(a), int(b), int(c)
    if order is None:
        return None
    day, month = (int(a), int(b)) if order else (int(b), int(a))
    return int(c) + (2000 if len(c) == 2 else 0), month, day


@lru_cache(maxsize=4096)
def _clock(
    hour: str, minute: str, second: str | None, meridian: str | None
) -> tuple[int, int, int]:
    """``(hour, minute, second)`` on the 24-hour clock of a header's time."""
    h = int(hour)
    if meridian:
        word = meridian.lower().replace(" ", "")
        if word in markers.PM or word.startswith("p"):
            h = h % 12 + 12
        else:
            h %= 12
    return h, int(minute), int(second or 0)


def _title(source: str) -> str | None:
    stem = PurePosixPath(source.replace("\\", "/")).stem
    match = _TITLE.match(stem)
    return match.group(1).strip() if match else None


@lru_cache(maxsize=4096)
def _sender(name: str) -> Participant:
    if _PHONE_NAME.match(name):
        return Participant(phone=name.strip())
    return Participant(name=name)


class _Draft:
    __slots__ = ("line", "lines", "sender", "time_text", "when")

    def __init__(
        self,
        line: int,
        sender: Participant | None,
        time_text: str,
        when: datetime | None,
        text: str,
    ) -> None:
        self.line = line
        self.sender = sender
        self.time_text = time_text
        self.when = when
        self.lines = [text]


def read(export: ExportFile) -> Iterator[ChatItem]:
    """Every message of a WhatsApp ``.txt`` export; see the module docstring."""
    with export.open() as stream:
        order, limit, revisits = survey(stream, export.region)
    yield SourceLimit(export.source, "no account ids: senders are contact names or numbers")
    yield SourceLimit(export.source, "local times of the phone, without a zone")
    yield SourceLimit(export.source, "replies, forwards and the owner are not marked")
    if limit:
        yield SourceLimit(export.source, limit)
    problems: list[ChatProblem] = []
    conversation: Conversation | None = None
    ranks = Ranks(revisits)
    draft: _Draft | None = None
    with export.open() as stream:
        for number, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                line = _decode(raw, number, export.source, problems)
                yield from problems
                problems.clear()
            if not line.isascii():
                line = clean(line)
            line = line.rstrip("\r\n")
            match = _ANDROID.match(line) or _IOS.match(line)
            if match is None:
                if draft is not None:
                    draft.lines.append(line)
                elif line.strip():
                    yield ChatProblem(
                        export.source, f"line {number}", "text before the first message"
                    )
                continue
            if conversation is None:
                conversation = Conversation(
                    f"{PLATFORM}:{digest(export.source.rsplit('/', 1)[-1], line)}",
                    PLATFORM,
                    _title(export.source),
                    None,
                    (),
                    export.source,
                )
                yield conversation
            if draft is not None:
                yield _finish(draft, conversation.key, export, ranks)
            time_text = line[: match.start(8)].strip(" -\u2013[]")
            if draft is None or time_text != draft.time_text:
                a, b, c, hour, minute, second, meridian = match.group(1, 2, 3, 4, 5, 6, 7)
                dm, md = moments(a, b, c, _clock(hour, minute, second, meridian))
                ranks.start(dm if revisits.day_first else md)
            body = match.group(8)
            name, colon, text = body.partition(": ")
            if colon and name.strip():
                draft = _Draft(
                    number,
                    _sender(name.strip()),
                    time_text,
                    _local_time(match, order),
                    text,
                )
            else:
                draft = _Draft(
                    number,
                    None,
                    time_text,
                    _local_time(match, order),
                    body,
                )
        if draft is not None and conversation is not None:
            yield _finish(draft, conversation.key, export, ranks)
    if conversation is None:
        yield ChatProblem(export.source, "line 1", "no WhatsApp message found")


def _finish(draft: _Draft, conversation: str, export: ExportFile, ranks: Ranks) -> Message:
    lines = draft.lines
    text = (lines[0] if len(lines) == 1 else "\n".join(lines)).strip()
    edited = False
    if text.endswith(">"):  # every marker of an edit ends so
        for marker in markers.EDITED:
            if text.endswith(marker):
                text, edited = text[: -len(marker)].rstrip(), True
    deleted = text in markers.DELETED
    attachments: list[Attachment] = []
    if "<" in text:  # every iOS attachment marker starts so
        for match in _IOS_FILE.finditer(text):
            attachments.append(_attachment(match.group(2).strip(), export))
        text = _IOS_FILE.sub("", text).strip()
    if "(" in text:  # every Android attachment marker starts so
        for match in _ANDROID_FILE.finditer(text):
            attachments.append(_attachment(match.group(1).strip(), export))
        text = _ANDROID_FILE.sub("", text).strip()
    if text in markers.MEDIA_OMITTED:
        attachments.append(
            Attachment(kind="media", present=False, note="media omitted from the export")
        )
        text = ""
    sender_key = draft.sender.key if draft.sender else ""
    base = _digest(f"{draft.time_text}\x1f{sender_key}\x1f{text}")
    rank = ranks.rank(base)
    return Message(
        conversation=conversation,
        key=_digest(f"{base}\x1f{rank}"),
        position=f"line {draft.line}",
        sender=draft.sender,
        time_text=draft.time_text,
        local_time=draft.when,
        text="" if deleted else text,
        service=draft.sender is None,
        deleted=deleted,
        edited=edited,
        attachments=tuple(attachments),
    )


def _digest(text: str) -> str:
    """``base.digest`` of parts already joined (the same key, without the join per part)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()[
        :20
    ]


def _attachment(name: str, export: ExportFile) -> Attachment:
    located = export.locate(name)
    return Attachment(
        name=name,
        path=located or name,
        kind="file",
        present=located is not None,
        note="" if located else "media folder missing or file not exported",
    )
