from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from interlink.domain.chats import Conversation, Message
from tests.chats.exports import discord_export, discord_message, of_type, read_all, write_json


def test_channel_export_with_media_folder_and_links(tmp_path: Path) -> None:
    folder = tmp_path / "dce"
    (folder / "general.json_Files").mkdir(parents=True)
    (folder / "general.json_Files" / "cat-1A2B.png").write_bytes(b"png bytes")
    messages = [
        discord_message(
            "11",
            "alice",
            "111",
            "hi @bob",
            mentions=[
                {
                    "id": "222",
                    "name": "bob",
                    "discriminator": "0000",
                    "nickname": "Bob",
                    "isBot": False,
                }
            ],
            attachments=[
                {
                    "id": "a1",
                    "url": "general.json_Files/cat-1A2B.png",
                    "fileName": "cat.png",
                    "fileSizeBytes": 9,
                },
                {
                    "id": "a2",
                    "url": "https://cdn.discordapp.com/attachments/1/2/b.png",
                    "fileName": "b.png",
                    "fileSizeBytes": 3,
                },
            ],
        ),
        discord_message(
            "12",
            "bob",
            "222",
            "ok",
            timestampEdited="2023-11-14T23:00:00+00:00",
            reference={"messageId": "11", "channelId": "901", "guildId": "900"},
        ),
        discord_message("13", "bob", "222", "", type="ChannelPinnedMessage"),
    ]
    items = read_all(write_json(folder / "general.json", discord_export(messages)))
    [conversation] = of_type(items, Conversation)
    assert conversation.key == "discord:901" and conversation.title == "Study Group / general"
    first, second, pinned = of_type(items, Message)
    assert (
        first.sender is not None and first.sender.account == "111" and first.sender.name == "Alice"
    )
    assert first.sent_at == datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)
    assert ("mention", "@bob") in first.entities
    local, remote = first.attachments
    assert local.present and local.path == "general.json_Files/cat-1A2B.png" and local.size == 9
    assert not remote.present and "link" in remote.note
    assert second.edited and second.reply_to == "11"
    assert pinned.service and pinned.action == "ChannelPinnedMessage"
