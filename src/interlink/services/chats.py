"""Import chat evidence into a case: read every export under a path, store conversations,
participants, messages, attachments (hashed), identifiers and cue hits in batches, then
match the attachments like scanned files and link the case through its identifiers.

Nothing read is lost: a bad message or file is a problem stored with the case (file and
line or message), the rest is imported; importing the same export again adds nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from interlink.adapters.sql.chat_batch import ChatBatch
from interlink.adapters.sql.chat_run import ChatRun
from interlink.adapters.sql.store import SqlStore
from interlink.chats import identifiers as extraction
from interlink.chats import readers
from interlink.chats.exports import Found, Root, find_exports
from interlink.chats.triage import Detected, detect
from interlink.domain.cases import Agency, Case
from interlink.domain.chats import (
    Attachment,
    ChatFormat,
    ChatProblem,
    Conversation,
    Message,
    Participant,
    SourceLimit,
)
from interlink.domain.errors import SourceError
from interlink.services import cases as case_service
from interlink.services.chat_links import Linkables, link_case
from interlink.services.scan import ScanOptions, ScanResult, scan_exhibit

#: Messages stored per transaction.
BATCH = 10_000
#: Messages of one conversation made into rows and stored at once, within a transaction
#: (what is built for them lives only while they are stored).
STORED = 1000
#: Participants remembered as met, per import (a cache: the run's tables count them).
_MET = 4096


@dataclass(frozen=True, slots=True)
class ChatImport:
    """What an import read (counts of this run, whether new or already stored), the problems
    and limits met, the scan that matched the attachments, and the case links found."""

    conversations: int
    messages: int
    participants: int
    identifiers: int
    attachments: int
    problems: tuple[ChatProblem, ...]
    limits: tuple[SourceLimit, ...]
    scan: ScanResult | None = None
    links: case_service.Found = field(default_factory=case_service.Found)

    def counts(self) -> dict[str, int]:
        """The six counts ``chats import --json`` prints."""
        return {
            "conversations": self.conversations,
            "messages": self.messages,
            "participants": self.participants,
            "identifiers": self.identifiers,
            "attachments": self.attachments,
            "problems": len(self.problems),
        }


def _hash(root: Root, path: str) -> tuple[str, str]:
    sha256 = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    with root.opener(path)() as stream:
        while chunk := stream.read(1 << 20):
            sha256.update(chunk)
            md5.update(chunk)
    return sha256.hexdigest(), md5.hexdigest()


class _Importer:
    """Streams the items of every export into the store, one batch per transaction."""

    def __init__(
        self,
        store: SqlStore,
        case: Case,
        root: Root,
        region: str | None,
        tally: ChatRun,
        link: bool,
    ) -> None:
        self.store = store
        self.case = case
        self.root = root  # the root of the export being read (a zip inside a folder has its own)
        self.top = root  # open until the import ends
        self.region = region
        #: What the import met, deduplicated in the store: identifiers, participants, and
        #: (when ``link``: the case will be linked to others) the identifiers to link by.
        self.tally = tally
        self.linkables = Linkables() if link else None
        self.conversations: dict[str, tuple[int, str | None, str]] = {}
        #: Participants whose identifiers were taken lately (a cache, when linking).
        self.met: set[tuple[str, Participant]] = set()
        self.messages = 0
        self.attachments = 0
        self.present = 0
        self.problems: list[ChatProblem] = []
        self.limits: list[SourceLimit] = []
        #: Read and not yet stored, in order: (the export's root, a conversation with the
        #: export's region, or a message).
        self.pending: list[tuple[Root, Conversation | Message, str | None]] = []
        self.waiting = 0  # messages in ``pending``
        self.notes: list[tuple[str, str, str, str]] = []
        #: Attachments the current export names but does not hold: (count, first message).
        self.missing: tuple[int, str] = (0, "")

    def run(self, found: Found) -> None:
        export = found.file
        self.root = found.root
        self.limits.extend(SourceLimit(export.source, text) for text in found.limits)
        notes: list[tuple[str, str, str, str]] = [
            ("limit", export.source, "", t) for t in found.limits
        ]
        self.missing = (0, "")
        for item in readers.read(found.format, export):
            if isinstance(item, Message):
                for attachment in item.attachments:
                    if attachment.path and not attachment.present:
                        count, first = self.missing
                        self.missing = (count + 1, first or item.position)
                self.pending.append((self.root, item, None))
                self.waiting += 1
                if self.waiting >= BATCH:
                    self.flush()
            elif isinstance(item, Conversation):
                self.pending.append((self.root, item, export.region))
            elif isinstance(item, SourceLimit):
                self.limits.append(item)
                notes.append(("limit", item.source, "", item.limit))
            else:
                self.problems.append(item)
                notes.append(("problem", item.source, item.position, item.reason))
        count, first = self.missing
        if count:
            # The export names files it does not hold: a media folder left behind.
            missing = ChatProblem(
                export.source,
                first,
                f"{count} attached files named but not found beside the export",
            )
            self.problems.append(missing)
            notes.append(("problem", missing.source, missing.position, missing.reason))
        self.notes.extend(notes)
        if found.root is not self.top:
            self.flush()  # a zip inside a folder is closed after its exports: hash them now

    def conversation(self, tx: Connection, item: Conversation, region: str | None) -> None:
        ident = self.store.chats.ensure_conversation(tx, self.case.id, item)
        self.store.chats.add_participants(tx, ident, item.participants)
        self.tally.participants(ident, (p.key for p in item.participants))
        owner_region = next(
            (
                extraction.region_of(p.phone)
                for p in item.participants
                if p.owner and p.phone and p.phone.lstrip().startswith("+")
            ),
            None,
        )
        self.conversations[item.key] = (ident, owner_region or region, item.platform)
        for person in item.participants:
            self.participant(item.key, item.platform, person)

    def participant(self, conversation: str, platform: str, person: Participant) -> None:
        if self.linkables is None:
            return
        if (conversation, person) in self.met:
            return  # the same participant met lately: its identifiers are taken
        if len(self.met) >= _MET:
            self.met.clear()
        self.met.add((conversation, person))
        self.linkables.participant(person, platform)

    def flush(self) -> None:
        """Store what is pending in one transaction, in the order read: each conversation,
        and each run of messages between them grouped by conversation."""
        if not self.pending and not self.notes:
            return
        pending, self.pending, self.waiting = self.pending, [], 0
        tx = self.tally.connection
        with tx.begin():
            stretch: list[tuple[Root, Message]] = []
            for root, item, region in pending:
                if isinstance(item, Message):
                    stretch.append((root, item))
                    continue
                self._messages(tx, stretch)
                stretch = []
                self.conversation(tx, item, region)
            self._messages(tx, stretch)
            if self.linkables is not None:
                self.linkables.flush(self.tally)
            if self.notes:
                self.store.chats.add_notes(tx, self.case.id, self.notes)
                self.notes = []

    def _messages(self, tx: Connection, run: list[tuple[Root, Message]]) -> None:
        by_conversation: dict[str, list[tuple[Root, Message]]] = {}
        for root, message in run:
            by_conversation.setdefault(message.conversation, []).append((root, message))
        for key, messages in by_conversation.items():
            if key not in self.conversations:
                self.problems.append(
                    ChatProblem(key, messages[0][1].position, "message outside any conversation")
                )
                continue
            for start in range(0, len(messages), STORED):
                self._store(tx, key, messages[start : start + STORED])

    def _store(self, tx: Connection, key: str, messages: list[tuple[Root, Message]]) -> None:
        conversation_id, region, platform = self.conversations[key]
        region = region or self.region
        people: dict[str, Participant] = {}
        #: The key of each sender record met in this batch, by identity (readers reuse a
        #: sender's record; the records stay alive in ``messages`` while this runs).
        senders: dict[int, str] = {}
        rows = []
        #: Per message needing its id: attachments, identifiers found, cues found.
        needs: list[tuple[Root, Message, list[extraction.Found], list[Detected]]] = []
        for root, message in messages:
            sender = message.sender
            sender_key = None
            if sender is not None:
                sender_key = senders.get(id(sender))
                if sender_key is None:
                    sender_key = senders[id(sender)] = sender.key
                    people.setdefault(sender_key, sender)
                    self.participant(key, platform, sender)
            for person in message.recipients:
                people.setdefault(person.key, person)
                self.participant(key, platform, person)
            rows.append(_row(message, sender_key))
            text = message.text
            found = (
                extraction.extract(text, region, message.entities)
                if text or message.entities
                else []
            )
            cues = detect(text) if text else []
            if found or cues or message.attachments:
                needs.append((root, message, found, cues))
        chats = self.store.chats
        chats.add_participants(tx, conversation_id, people.values())
        self.tally.participants(conversation_id, people)
        batch = ChatBatch(tx)
        batch.messages(conversation_id, rows)
        ids = batch.message_ids(conversation_id, [m.key[:100] for _, m, _, _ in needs])
        attachment_rows: list[dict[str, Any]] = []
        identifiers: dict[tuple[str, str], bool] = {}
        occurrences: list[tuple[tuple[str, str], int]] = []
        cue_rows: list[tuple[Any, ...]] = []
        for root, message, found, cues in needs:
            message_id = ids[message.key[:100]]
            for ordinal, attachment in enumerate(message.attachments):
                attachment_rows.append(self._attachment(root, attachment, message_id, ordinal))
            for item in found:
                pair = (item.kind, item.value)
                identifiers[pair] = item.e164
                occurrences.append((pair, message_id))
                if self.linkables is not None:
                    self.linkables.identifier(item, platform)
            for cue in cues:
                cue_rows.append(
                    (
                        conversation_id,
                        message_id,
                        cue.cue,
                        [[s.start, s.end] for s in cue.spans],
                        cue.age,
                    )
                )
        chats.add_attachments(tx, attachment_rows)
        identifier_ids = batch.identifiers(self.case.id, identifiers)
        batch.link_identifiers((identifier_ids[p], m) for p, m in occurrences)
        batch.cues(cue_rows)
        self.tally.identifiers(identifier_ids.values())
        self.messages += len(messages)

    def _attachment(
        self, root: Root, attachment: Attachment, message_id: int, ordinal: int
    ) -> dict[str, Any]:
        self.attachments += 1
        sha256, md5 = attachment.sha256, attachment.md5
        if attachment.present and attachment.path:
            try:
                sha256, md5 = _hash(root, attachment.path)
                self.present += 1
            except OSError as exc:
                self.problems.append(ChatProblem(attachment.path, "file", f"cannot be read: {exc}"))
        return {
            "message_id": message_id,
            "case_id": self.case.id,
            "ordinal": ordinal,
            "name": attachment.name,
            "path": attachment.path,
            "kind": attachment.kind[:60],
            "size": attachment.size,
            "mime": attachment.mime,
            "present": attachment.present,
            "sha256": sha256,
            "md5": md5,
            "note": attachment.note,
        }


def _row(message: Message, sender_key: str | None) -> tuple[Any, ...]:
    """A message as a row in ``chat_batch.MESSAGE_COLUMNS`` order (``sender_key``: the
    key of its sender, if any)."""
    sender = message.sender
    return (
        message.key[:100],
        message.position,
        sender_key[:400] if sender_key is not None else None,
        sender.name if sender else None,
        [p.key for p in message.recipients] or None,
        message.sent_at,
        message.time_text[:100],
        message.local_time,
        message.text,
        message.service,
        (message.action or None) and message.action[:100],
        message.reply_to[:100] if message.reply_to else None,
        message.forwarded_from,
        message.edited,
        message.edited_at,
        message.deleted,
    )


def import_chats(
    store: SqlStore,
    path: Path,
    *,
    case: str,
    agency: Agency | None = None,
    fmt: ChatFormat | None = None,
    region: str | None = None,
    actor: str = "local",
    scan: ScanOptions | None = None,
    match_attachments: bool = True,
) -> ChatImport:
    """Import every chat export under ``path`` (a file, zip or folder) into ``case``.

    ``fmt`` forces the format (default: told by content); ``region`` is the ISO country
    assumed for national phone numbers when the export does not tell. Attachments present
    are hashed; when ``match_attachments``, the export is then scanned like an exhibit
    (``scan`` options) so they are matched against the known lists. The case is created if
    missing; another agency's case is refused.
    """
    if not path.exists():
        raise SourceError(str(path), "no such file or folder")
    with store.transaction() as tx:
        record, _ = store.cases.ensure_case(tx, case, agency)
    with store.engine.connect() as connection:
        with connection.begin():
            tally = ChatRun(connection)
        try:
            with Root(path) as root:
                importer = _Importer(
                    store,
                    record,
                    root,
                    region.upper() if region else None,
                    tally,
                    link=agency is not None,
                )
                for item in find_exports(root, fmt, region):
                    if isinstance(item, ChatProblem):
                        importer.problems.append(item)
                        importer.notes.append(("problem", item.source, item.position, item.reason))
                    else:
                        importer.run(item)
                importer.flush()
                scan_root = root.path if root.zip is not None or path.is_dir() else root.base
            scanned = None
            if match_attachments and importer.present:
                scanned = scan_exhibit(
                    store,
                    scan_root,
                    case=case,
                    exhibit=f"chats: {scan_root.name}",
                    options=scan,
                    actor=actor,
                    agency=agency,
                )
            links = case_service.Found()
            if agency is not None:
                links = link_case(store, record, agency, tally, actor, {"chats": str(path)})
            with connection.begin():
                identifiers, participants = tally.counts()
        finally:
            with connection.begin():
                tally.close()
    result = ChatImport(
        len(importer.conversations),
        importer.messages,
        participants,
        identifiers,
        importer.attachments,
        tuple(importer.problems),
        tuple(importer.limits),
        scanned,
        links,
    )
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=actor,
            action="chats.import",
            object_type="case",
            object_id=str(record.id),
            after={"path": str(path), **result.counts()},
        )
    return result
