from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from interlink.adapters.sql.schema import media
from interlink.adapters.sql.store import SqlStore
from tests.adapters.sql.chat_world import PHOTO, attachment, store_chat


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def test_a_file_left_out_is_the_stored_media_of_the_same_md5(store: SqlStore) -> None:
    chat = store_chat(store)
    stored = "b" * 64
    with store.transaction() as tx:
        left_out = {"ordinal": 1, "present": False, "sha256": None, "md5": "c" * 32}
        unknown = {"ordinal": 2, "present": False, "sha256": None, "name": None}
        store.chats.add_attachments(
            tx,
            [
                attachment(chat.case_id, chat.messages["1"], **left_out),
                attachment(chat.case_id, chat.messages["1"], **unknown),
            ],
        )
        tx.execute(
            media.insert().values(
                sha256=stored,
                md5="c" * 32,
                sha1="d" * 40,
                size=6,
                media_type="image/jpeg",
                kind="image",
                first_seen=datetime(2024, 1, 1, tzinfo=UTC),
            )
        )
    rows = store.chats.attachments(chat.case_id)
    assert [row["media_sha256"] for row in rows] == [PHOTO, stored, None]
    assert [row["message_key"] for row in rows] == ["1", "1", "1"]
    # Nothing matched in a known list, and no scan found them.
    assert not any(row["known_matches"] or row["found_by_scan"] for row in rows)
