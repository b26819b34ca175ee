"""Cellebrite UFDR ``report.xml`` (namespace ``http://pa.cellebrite.com/report/2.0``), read
in one streaming pass whose memory does not grow with the number of messages.

Read: ``model type="Chat"`` (``Source`` app, ``Id``, ``Name``, ``Participants`` as ``Party``
models with ``Identifier``, ``Name``, ``IsPhoneOwner``) and the ``InstantMessage`` models in
its ``Messages`` field (or loose at the top): ``TimeStamp``, ``From``, ``To``, ``Body``,
``Attachments`` (``Filename``, ``ContentType``, ``Size``, ``attachment_extracted_path``), the
``deleted_state`` attribute. ``taggedFiles`` met before a message give the hashes of the file
an attachment points to (by its local path). A chat's header is kept while its messages
stream past; each message subtree is dropped once read. DTDs are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from interlink.chats.base import ExportFile, clean, from_iso
from interlink.domain.chats import (
    Attachment,
    ChatItem,
    ChatProblem,
    Conversation,
    Message,
    Participant,
    SourceLimit,
)

#: Bytes fed to the parser at once: the messages of one chunk are held together.
CHUNK = 1 << 18
_JID = re.compile(r"^(\d{6,15})@(?:s\.whatsapp\.net|c\.us)$")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Collector:
    """Parser target: keeps a chat's header (not its messages), and hands over each
    message model and tagged file as a finished subtree."""

    def __init__(self) -> None:
        self.depth = 0
        self.chat: TreeBuilder | None = None
        self.chat_root: Element | None = None
        self.chat_depth = 0
        self.messages_depth: int | None = None
        self.item: TreeBuilder | None = None
        self.item_depth = 0
        self.item_kind = ""
        self.in_tagged = 0
        self.done: list[tuple[str, Element | None, Element | None]] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        local = _local(tag)
        clean_attrs = {_local(k): v for k, v in attrs.items()}
        if self.item is not None:
            self.item.start(local, clean_attrs)
            return
        kind = clean_attrs.get("type")
        if local == "model" and kind == "InstantMessage":
            self._item("message", local, clean_attrs)
            return
        if local == "file" and self.in_tagged:
            self._item("file", local, clean_attrs)
            return
        if local == "taggedFiles":
            self.in_tagged = self.depth
        if self.chat is None and local == "model" and kind == "Chat":
            self.chat = TreeBuilder()
            self.chat_root = self.chat.start(local, clean_attrs)
            self.chat_depth = self.depth
            return
        if self.chat is not None and self.messages_depth is None:
            if local == "multiModelField" and clean_attrs.get("name") == "Messages":
                self.messages_depth = self.depth
                return
            self.chat.start(local, clean_attrs)

    def _item(self, kind: str, local: str, attrs: dict[str, str]) -> None:
        self.item = TreeBuilder()
        self.item.start(local, attrs)
        self.item_depth = self.depth
        self.item_kind = kind

    def end(self, tag: str) -> None:
        local = _local(tag)
        depth = self.depth
        self.depth -= 1
        if self.item is not None:
            self.item.end(local)
            if depth == self.item_depth:
                self.done.append((self.item_kind, self.item.close(), self.chat_root))
                self.item = None
            return
        if local == "taggedFiles" and depth == self.in_tagged:
            self.in_tagged = 0
        if self.chat is None:
            return
        if self.messages_depth is not None:
            if depth == self.messages_depth:
                self.messages_depth = None
            return
        self.chat.end(local)
        if depth == self.chat_depth:
            self.chat.close()
            self.done.append(("chat_end", self.chat_root, None))
            self.chat = None
            self.chat_root = None

    def data(self, text: str) -> None:
        if self.item is not None:
            self.item.data(text)
        elif self.chat is not None and self.messages_depth is None:
            self.chat.data(text)

    def close(self) -> None:
        return None


def _fields(model: Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in model:
        if node.tag == "field":
            value = node.find("value")
            text = value.text if value is not None else node.text
            if text is not None and node.get("name"):
                found[node.get("name", "")] = text.strip()
    return found


def _models(model: Element, name: str) -> list[Element]:
    found: list[Element] = []
    for node in model:
        if node.tag in ("modelField", "multiModelField") and node.get("name") == name:
            found.extend(child for child in node if child.tag == "model")
    return found


def _party(model: Element) -> Participant:
    fields = _fields(model)
    account = fields.get("Identifier") or None
    phone = None
    if account and (jid := _JID.match(account)):
        phone = "+" + jid.group(1)
    name = fields.get("Name")
    return Participant(
        account,
        clean(name) if name else None,
        phone,
        fields.get("IsPhoneOwner", "").lower() == "true",
    )


class _Reader:
    def __init__(self, export: ExportFile) -> None:
        self.export = export
        self.files: dict[str, tuple[str | None, str | None]] = {}
        self.chat_key: str | None = None
        self.chat_sent: Element | None = None
        self.loose: set[str] = set()
        self.count = 0

    def conversation(self, chat: Element) -> Conversation:
        fields = _fields(chat)
        platform = (fields.get("Source") or "unknown").strip().casefold()
        ident = fields.get("Id") or chat.get("id") or str(self.count)
        participants = tuple(_party(p) for p in _models(chat, "Participants"))
        return Conversation(
            f"ufdr:{platform}:{ident}",
            platform,
            clean(fields["Name"]) if fields.get("Name") else None,
            fields.get("ChatType") or None,
            participants,
            self.export.source,
        )

    def file(self, element: Element) -> None:
        items = {i.get("name", ""): (i.text or "").strip() for i in element.iter("item")}
        path = items.get("Local Path", "").replace("\\", "/")
        if path:
            self.files[path] = (items.get("SHA256") or None, items.get("MD5") or None)

    def attachment(self, model: Element) -> Attachment:
        fields = _fields(model)
        path = (fields.get("attachment_extracted_path") or "").replace("\\", "/") or None
        located = self.export.locate(path) if path else None
        sha256, md5 = self.files.get(path or "", (None, None))
        size = fields.get("Size", "")
        return Attachment(
            name=fields.get("Filename") or (path.rsplit("/", 1)[-1] if path else None),
            path=located or path,
            kind=(fields.get("ContentType") or "file").split("/")[0],
            size=int(size) if size.isdigit() else None,
            mime=fields.get("ContentType") or None,
            present=located is not None,
            sha256=sha256.lower() if sha256 else None,
            md5=md5.lower() if md5 else None,
            note="" if located else "not extracted into the report",
        )

    def message(self, element: Element, conversation: str) -> Message:
        fields = _fields(element)
        senders = _models(element, "From")
        attachments = [self.attachment(m) for m in _models(element, "Attachments")]
        attachments += [self.attachment(m) for m in _models(element, "Attachment")]
        ident = element.get("id") or fields.get("Identifier")
        if not ident:
            raise ValueError("an InstantMessage without an id")
        stamp = fields.get("TimeStamp", "")
        return Message(
            conversation=conversation,
            key=ident,
            position=f"message {self.count} (id {ident})",
            sender=_party(senders[0]) if senders else None,
            recipients=tuple(_party(p) for p in _models(element, "To")),
            sent_at=from_iso(stamp),
            time_text=stamp,
            text=clean(fields.get("Body", "")),
            deleted=element.get("deleted_state", "").lower() == "deleted",
            attachments=tuple(attachments),
        )


def read(export: ExportFile, *, chunk: int = CHUNK) -> Iterator[ChatItem]:
    """Every chat and instant message of a UFDR ``report.xml``; see the module docstring.
    Memory is bounded by the messages of one ``chunk`` of bytes, whatever the file's size."""
    yield SourceLimit(export.source, "what the extraction decoded: undecoded chats are absent")
    reader = _Reader(export)
    collector = _Collector()
    parser = DefusedXMLParser(target=collector, forbid_dtd=True)
    with export.open() as stream:
        while True:
            data = stream.read(chunk)
            failure: str | None = None
            try:
                if data:
                    parser.feed(data)
                else:
                    parser.close()
            except ParseError as exc:
                failure = f"line {exc.position[0]}|the XML is not well formed ({exc})"
            except DefusedXmlException as exc:
                failure = f"line {parser.parser.CurrentLineNumber}|refused: {exc}"
            yield from _drain(reader, collector)
            if failure is not None:
                position, _, reason = failure.partition("|")
                yield ChatProblem(export.source, position, f"{reason}; nothing further read")
                return
            if not data:
                return


def _drain(reader: _Reader, collector: _Collector) -> Iterator[ChatItem]:
    for kind, element, chat in collector.done:
        if kind == "file" and element is not None:
            reader.file(element)
        elif kind == "chat_end":
            if reader.chat_key is None and element is not None:
                yield reader.conversation(element)
            reader.chat_key = None
        elif kind == "message" and element is not None:
            reader.count += 1
            if chat is not None and reader.chat_key is None:
                conversation = reader.conversation(chat)
                reader.chat_key = conversation.key
                yield conversation
            key = reader.chat_key
            if chat is None:
                source = (_fields(element).get("Source") or "unknown").casefold()
                key = f"ufdr:{source}:loose"
                if key not in reader.loose:
                    reader.loose.add(key)
                    yield Conversation(
                        key, source, "messages outside any chat", None, (), reader.export.source
                    )
            try:
                yield reader.message(element, key or "ufdr:unknown")
            except ValueError as exc:
                yield ChatProblem(reader.export.source, f"message {reader.count}", str(exc))
    collector.done.clear()
