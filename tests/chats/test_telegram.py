from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from interlink.domain.chats import ChatProblem, Conversation, Message, SourceLimit
from tests.chats.exports import (
    of_type,
    read_all,
    telegram_chat,
    telegram_export,
    telegram_message,
    write_json,
)


def test_single_chat_export(tmp_path: Path) -> None:
    telegram_export(tmp_path / "tg")
    items = read_all(tmp_path / "tg")
    [conversation] = of_type(items, Conversation)
    assert conversation.key == "telegram:4242"
    assert conversation.kind == "personal_chat"
    assert conversation.participants[0].account == "user4242"
    messages = of_type(items, Message)
    assert [m.key for m in messages] == ["1", "2", "3", "4", "5", "6"]
    first = messages[0]
    assert first.sender is not None and first.sender.account == "user1001"
    assert first.sender.name == "Sam"
    assert first.sent_at == datetime(2023, 11, 14, 22, 14, 20, tzinfo=UTC)
    assert first.time_text == "2023-11-14T22:13:20"
    # text as parts, with the entities the export marked
    assert messages[2].text == "call me on +44 7700 900123 or write to Sam.Example@Mail.test"
    assert ("phone", "+44 7700 900123") in messages[2].entities
    photo = messages[3].attachments[0]
    assert photo.present and photo.path == "photos/photo_1@14-11-2023_22-14-20.jpg"
    video = messages[4].attachments[0]
    assert not video.present and video.size == 5000 and "not included" in video.note
    assert messages[4].reply_to == "2"
    assert messages[5].service and messages[5].action == "phone_call"
    limits = [limit.limit for limit in of_type(items, SourceLimit)]
    assert any("owner" in text for text in limits)
    assert not of_type(items, ChatProblem)


def test_whole_account_export_names_the_owner(tmp_path: Path) -> None:
    chat = telegram_chat([telegram_message(1, "Me", "user7", "hello")], name="Group", ident=99)
    chat["type"] = "private_group"
    other = telegram_chat([telegram_message(2, "Robin", "user8", "hi")], ident=8)
    document = {
        "about": "Here is the data you requested.",
        "personal_information": {
            "user_id": 7,
            "first_name": "Me",
            "phone_number": "+33 6 12 34 56 78",
        },
        "chats": {"about": "list of chats", "list": [chat, other]},
    }
    items = read_all(write_json(tmp_path / "result.json", document))
    conversations = of_type(items, Conversation)
    assert [c.key for c in conversations] == ["telegram:99", "telegram:8"]
    owner = [p for p in conversations[0].participants if p.owner]
    assert owner and owner[0].account == "user7" and owner[0].phone == "+33 6 12 34 56 78"
    messages = of_type(items, Message)
    assert messages[0].sender is not None and messages[0].sender.owner
    assert [m.conversation for m in messages] == ["telegram:99", "telegram:8"]


def test_truncated_json_keeps_what_came_before(tmp_path: Path) -> None:
    path = telegram_export(tmp_path / "tg")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index('"id": 4,')], encoding="utf-8")
    items = read_all(path)
    assert [m.key for m in of_type(items, Message)] == ["1", "2", "3"]
    [problem] = of_type(items, ChatProblem)
    assert problem.source == "result.json" and "after message 3" in problem.position


def test_a_message_without_id_is_a_problem_and_the_rest_is_read(tmp_path: Path) -> None:
    bad = telegram_message(2, "Robin", "user8", "hi")
    del bad["id"]
    chat = telegram_chat(
        [telegram_message(1, "Sam", "user1", "a"), bad, telegram_message(3, "Sam", "user1", "c")]
    )
    items = read_all(write_json(tmp_path / "result.json", chat))
    assert [m.key for m in of_type(items, Message)] == ["1", "3"]
    [problem] = of_type(items, ChatProblem)
    assert problem.position == "message 2"
