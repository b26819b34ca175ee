from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlink.adapters.sql.chat_run import ChatRun
from interlink.adapters.sql.store import SqlStore


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def test_what_a_run_met_is_counted_once_across_batches(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        with connection.begin():
            run = ChatRun(connection)
        for _ in range(2):  # the same batch twice: nothing counted twice
            with connection.begin():
                run.identifiers([3, 1, 3])
                run.participants(7, ["user1", "user2", "user1"])
                run.participants(8, ["user1"])
        with connection.begin():
            assert run.counts() == (2, 3)
            run.close()


def test_links_are_paged_once_per_key_the_last_met_of_a_key_kept(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        with connection.begin():
            run = ChatRun(connection)
            run.links(
                [
                    ("email:Sam@x.test", "email:sam@x.test", "email", "Sam@x.test", None),
                    ("phone:+447700900123", "phone:+447700900123", "phone", "+447700900123", None),
                ]
            )
            run.links(
                [
                    ("email:sam@x.test", "email:sam@x.test", "email", "sam@x.test", None),
                    ("email:Sam@x.test", "email:sam@x.test", "email", "Sam@x.test", None),
                    ("account:t/a", "account:telegram/a", "account", "a", "telegram"),
                ]
            )
            first = run.links_after(0, 2)
            rest = run.links_after(first[-1][0], 2)
            assert run.links_after(rest[-1][0], 2) == []
        values = [(kind, value, service) for _, kind, value, service in first + rest]
        # The first met of a run key is kept (Sam@ again is skipped); of two run keys with one
        # normalised key, the later is linked.
        assert values == [
            ("phone", "+447700900123", None),
            ("email", "sam@x.test", None),
            ("account", "a", "telegram"),
        ]
        with connection.begin():
            run.close()
        with connection.begin():  # a new run starts empty
            assert ChatRun(connection).counts() == (0, 0)
