from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlink.adapters.sql.store import SqlStore
from tests.adapters.sql.chat_world import store_chat


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def test_conversations_messages_and_identifiers_read_back(store: SqlStore) -> None:
    chat = store_chat(store)
    [stored] = store.chats.conversations(chat.case_id)
    # A participant without account or name is labelled by the phone.
    assert stored.messages == 3 and stored.participants == ("user1", "user2", "+447700900123")
    assert store.chats.conversation(chat.case_id, stored.id) == stored
    assert store.chats.conversation(chat.case_id, stored.id + 1) is None
    # UTC time first, then the device's clock for a message without one.
    assert [m["key"] for m in store.chats.messages(stored.id)] == ["1", "2", "3"]
    [identifier] = store.chats.identifiers(chat.case_id)
    assert (identifier.kind, identifier.value, identifier.messages) == (
        "email",
        "sam@x.test",
        (chat.messages["2"],),
    )
    owners = [p["key"] for p in store.chats.participants(chat.case_id) if p["owner"]]
    assert owners == ["user2"]
    assert store.chats.cues(chat.case_id) == [] and store.chats.notes(chat.case_id) == []
