from __future__ import annotations

import hashlib
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from interlink.chats import ufdr
from interlink.chats.base import ExportFile
from interlink.domain.chats import ChatProblem, Conversation, Message
from tests.chats.exports import (
    of_type,
    read_all,
    tagged_file,
    ufdr_message,
    ufdr_report,
    write_zip,
)

OWNER = ("447700900111@s.whatsapp.net", "Owner", True)
KIM = ("447700900222@s.whatsapp.net", "Kim", False)


def test_chat_participants_messages_attachments_and_deleted_state(tmp_path: Path) -> None:
    photo = b"photo bytes"
    digest = hashlib.sha256(photo).hexdigest()
    report = ufdr_report(
        [
            ufdr_message("m1", OWNER, KIM, "hello", "2021-01-01T10:00:00.000+01:00"),
            ufdr_message(
                "m2",
                KIM,
                OWNER,
                "look",
                "2021-01-01T10:01:00.000+01:00",
                deleted=True,
                attachment="files/Image/a.jpg",
            ),
        ],
        tagged_file("files/Image/a.jpg", digest.upper()),
    )
    archive = write_zip(
        tmp_path / "phone.ufdr", {"report.xml": report.encode(), "files/Image/a.jpg": photo}
    )
    items = read_all(archive)
    [conversation] = of_type(items, Conversation)
    assert conversation.key == "ufdr:whatsapp:chat-1" and conversation.platform == "whatsapp"
    owner = [p for p in conversation.participants if p.owner]
    assert owner[0].phone == "+447700900111" and owner[0].account == OWNER[0]
    first, second = of_type(items, Message)
    assert first.sent_at == datetime(2021, 1, 1, 9, 0, tzinfo=UTC)
    assert first.sender is not None and first.sender.owner
    assert first.recipients[0].name == "Kim"
    assert second.deleted and not first.deleted
    [attachment] = second.attachments
    assert attachment.present and attachment.path == "files/Image/a.jpg"
    assert attachment.sha256 == digest and attachment.mime == "image/jpeg"
    assert not of_type(items, ChatProblem)


def test_broken_xml_is_a_problem_after_the_messages_read(tmp_path: Path) -> None:
    report = ufdr_report(
        [ufdr_message(f"m{i}", OWNER, KIM, "x", "2021-01-01T10:00:00+00:00") for i in range(3)]
    )
    cut = report[: report.index('id="m2"') + 10]
    path = tmp_path / "report.xml"
    path.write_text(cut, encoding="utf-8")
    items = read_all(path)
    assert [m.key for m in of_type(items, Message)] == ["m0", "m1"]
    [problem] = of_type(items, ChatProblem)
    assert problem.position.startswith("line") and "not well formed" in problem.reason


def test_memory_stays_flat_as_messages_grow(tmp_path: Path) -> None:
    def peak(count: int) -> int:
        body = ufdr_report(
            [
                ufdr_message(f"m{i}", OWNER, KIM, "text " * 20, "2021-01-01T10:00:00+00:00")
                for i in range(count)
            ]
        ).encode()
        path = tmp_path / f"r{count}.xml"
        path.write_bytes(body)
        export = ExportFile("report.xml", lambda: path.open("rb"))
        tracemalloc.start()
        read = sum(1 for item in ufdr.read(export, chunk=8192) if isinstance(item, Message))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert read == count
        return top

    small, large = peak(50), peak(500)
    assert large < small * 2  # ten times the messages, not ten times the memory
