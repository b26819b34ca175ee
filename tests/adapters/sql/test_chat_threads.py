from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.domain.chats import Conversation
from tests.adapters.sql.chat_world import JO, KIM, PHOTO, SAM, store_chat


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def test_a_stored_group_as_the_network_graph_takes_it(store: SqlStore) -> None:
    store_chat(store)
    [thread] = list(store.chats.threads())
    assert (thread.platform, thread.key, thread.title, thread.group) == (
        "telegram",
        "telegram:9",
        "Group",
        True,
    )
    assert [p.key for p in thread.participants] == ["user1", "user2", "phone:+447700900123"]
    assert [sender for sender, _ in thread.senders] == ["user1", "user2"]
    assert [(sender, sha) for sender, sha, _ in thread.shared] == [("user1", PHOTO)]
    # An e-mail address counts as written by its sender (a national phone would not).
    assert thread.written == (("user1", "email", "sam@x.test"),)
    assert thread.case == "C1"


@pytest.mark.parametrize(
    ("kind", "people", "group"),
    [("personal_chat", 2, False), (None, 3, True), ("Public_Channel", 1, True)],
)
def test_a_group_by_its_kind_or_more_than_two_people(
    store: SqlStore, kind: str | None, people: int, group: bool
) -> None:
    with store.transaction() as tx:
        case, _ = store.cases.ensure_case(tx, "C1")
        conversation = Conversation("telegram:1", "telegram", None, kind)
        ident = store.chats.ensure_conversation(tx, case.id, conversation)
        store.chats.add_participants(tx, ident, (SAM, KIM, JO)[:people])
    [thread] = list(store.chats.threads())
    assert thread.group is group and len(thread.participants) == people
