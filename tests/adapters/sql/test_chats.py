from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.domain.chats import Conversation, Participant
from tests.adapters.sql.chat_world import message


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def test_chat_rows_round_trip_and_are_stored_once(store: SqlStore) -> None:
    with store.transaction() as tx:
        case, _ = store.cases.ensure_case(tx, "C1")
    chats = store.chats
    conversation = Conversation(
        "telegram:1", "telegram", None, None, (Participant("user1", "Sam"),)
    )
    for _ in range(2):
        with store.transaction() as tx:
            ident = chats.ensure_conversation(tx, case.id, conversation)
            chats.add_participants(tx, ident, [Participant("user2", "Kim", owner=True)])
            chats.add_participants(tx, ident, conversation.participants)
            rows = [message(str(n), Participant("user1", "Sam"), f"text {n}", n) for n in (2, 1)]
            ids = chats.add_messages(tx, ident, rows)
            found = chats.add_identifiers(tx, case.id, {("phone", "+33612345678"): True})
            chats.link_identifiers(tx, [(found[("phone", "+33612345678")], ids["1"])])
            chats.add_cues(
                tx,
                [
                    {
                        "conversation_id": ident,
                        "message_id": ids["2"],
                        "cue": "age",
                        "spans": [[0, 4]],
                        "age": 14,
                    }
                ],
            )
            chats.add_notes(tx, case.id, [("limit", "f.json", "", "no owner")])
    with store.transaction() as tx:
        chats.ensure_conversation(
            tx, case.id, Conversation("telegram:1", "telegram", "Titled", None)
        )
    [stored] = chats.conversations(case.id)
    assert (stored.messages, stored.title) == (2, "Titled")
    assert set(stored.participants) == {"user1", "user2"}
    order = chats.message_order(stored.id)
    assert [ids[k] for k in ("1", "2")] == order
    [identifier] = chats.identifiers(case.id)
    assert identifier.conversations == (stored.id,) and identifier.messages == (ids["1"],)
    [cue] = chats.cues(case.id)
    assert (cue.cue, cue.spans, cue.age, cue.text) == ("age", ((0, 4),), 14, "text 2")
    assert len(chats.notes(case.id)) == 1
    owners = [p for p in chats.participants(case.id) if p["owner"]]
    assert [p["key"] for p in owners] == ["user2"]
