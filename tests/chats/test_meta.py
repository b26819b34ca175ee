from __future__ import annotations

from pathlib import Path

from interlink.chats.meta import repair
from interlink.domain.chats import ChatFormat, Conversation, Message, SourceLimit
from tests.chats.exports import meta_thread, mojibake, of_type, read_all, write_json


def _shards(root: Path, app: str) -> Path:
    thread = root / app / "messages" / "inbox" / "kim_123"
    (thread / "photos").mkdir(parents=True)
    (thread / "photos" / "9.jpg").write_bytes(b"jpeg")
    newest = [
        {
            "sender_name": mojibake("Léa"),
            "timestamp_ms": 1_700_000_200_000,
            "content": mojibake("à demain"),
            "photos": [
                {"uri": f"{app}/messages/inbox/kim_123/photos/9.jpg", "creation_timestamp": 1}
            ],
        },
        {
            "sender_name": "Kim",
            "timestamp_ms": 1_700_000_100_000,
            "content": "ok",
            "is_unsent": True,
        },
    ]
    older = [{"sender_name": "Kim", "timestamp_ms": 1_700_000_000_000, "content": "hello"}]
    write_json(
        thread / "message_1.json", meta_thread(newest, "Léa", ["Léa", "Kim"], "inbox/kim_123")
    )
    write_json(
        thread / "message_2.json", meta_thread(older, "Léa", ["Léa", "Kim"], "inbox/kim_123")
    )
    return root


def test_messenger_shards_newest_first_with_mojibake_repaired(tmp_path: Path) -> None:
    items = read_all(_shards(tmp_path / "dyi", "your_facebook_activity"))
    conversations = of_type(items, Conversation)
    assert {c.key for c in conversations} == {"messenger:inbox/kim_123"}
    assert conversations[-1].title == "Léa"
    assert [p.name for p in conversations[0].participants] == ["Léa", "Kim"]
    messages = of_type(items, Message)
    assert [m.text for m in messages] == ["à demain", "ok", "hello"]
    assert messages[0].sender is not None and messages[0].sender.name == "Léa"
    assert [r.name for r in messages[0].recipients] == ["Kim"]
    assert messages[0].attachments[0].present
    assert messages[1].deleted
    assert any("display name" in limit.limit for limit in of_type(items, SourceLimit))


def test_instagram_told_by_path_and_forced_by_format(tmp_path: Path) -> None:
    items = read_all(_shards(tmp_path / "instagram-user", "your_instagram_activity"))
    assert {c.platform for c in of_type(items, Conversation)} == {"instagram"}
    plain = _shards(tmp_path / "download", "activity")
    unsure = read_all(plain)
    assert {c.platform for c in of_type(unsure, Conversation)} == {"messenger"}
    forced = read_all(plain, ChatFormat.INSTAGRAM)
    assert {c.platform for c in of_type(forced, Conversation)} == {"instagram"}


def test_repair_leaves_good_text_alone() -> None:
    assert repair("plain ascii") == "plain ascii"
    assert repair(mojibake("café ✓")) == "café ✓"
    assert repair("déjà") == "déjà"
