"""The change feed of this node's lists, from which peers pull incrementally.

The feed is compacted: one row per ``(list, entry_key)``, whose sequence number is raised each
time the entry is added, changed or withdrawn (a withdrawn entry keeps a tombstone row with no
content hash). A peer that has pulled up to sequence ``s`` gets every key whose latest change
is after ``s``: the result is the same state whatever it missed in between.

The feed is brought up to date from the lists themselves (``refresh``) when a list's import
generation moved, so every way a list changes (imports, ``lists add``, deltas) reaches peers
without the list code knowing about federation. Sequence numbers never repeat (SQLite
``AUTOINCREMENT``; a PostgreSQL identity).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, select

from interlink.adapters.sql.federation_schema import federation_feed, federation_feed_state
from interlink.adapters.sql.schema import hash_lists, list_entries


@dataclass(frozen=True, slots=True)
class FeedChange:
    """One change of the feed: the entry key, its sequence number, and the id of the current
    entry (``None`` for a tombstone)."""

    seq: int
    entry_key: str
    entry_id: int | None


class FeedRepository:
    """Refresh and read the change feed."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def refresh(self, connection: Connection, list_id: int) -> int:
        """Bring the feed of one list up to date with the list; return how many changes were
        recorded. Cheap when the list's generation has not moved since the last refresh."""
        generation = connection.execute(
            select(hash_lists.c.generation).where(hash_lists.c.id == list_id).with_for_update()
        ).scalar_one()
        state = connection.execute(
            select(federation_feed_state.c.generation).where(
                federation_feed_state.c.list_id == list_id
            )
        ).scalar_one_or_none()
        if state is not None and int(state) == int(generation):
            return 0
        current = {
            str(row.entry_key): row.content_hash
            for row in connection.execute(
                select(list_entries.c.entry_key, list_entries.c.content_hash).where(
                    list_entries.c.list_id == list_id, list_entries.c.entry_key.is_not(None)
                )
            )
        }
        fed = {
            str(row.entry_key): row.content_hash
            for row in connection.execute(
                select(federation_feed.c.entry_key, federation_feed.c.content_hash).where(
                    federation_feed.c.list_id == list_id
                )
            )
        }
        changed: dict[str, str | None] = {
            key: digest for key, digest in current.items() if fed.get(key, "") != digest
        }
        changed.update(
            {key: None for key, digest in fed.items() if digest is not None and key not in current}
        )
        self._record(connection, list_id, changed)
        if state is None:
            connection.execute(
                federation_feed_state.insert().values(list_id=list_id, generation=generation)
            )
        else:
            connection.execute(
                federation_feed_state.update()
                .where(federation_feed_state.c.list_id == list_id)
                .values(generation=generation)
            )
        return len(changed)

    @staticmethod
    def _record(connection: Connection, list_id: int, changed: dict[str, str | None]) -> None:
        keys = sorted(changed)
        now = datetime.now(UTC)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            connection.execute(
                delete(federation_feed).where(
                    federation_feed.c.list_id == list_id, federation_feed.c.entry_key.in_(chunk)
                )
            )
            connection.execute(
                federation_feed.insert(),
                [
                    {
                        "list_id": list_id,
                        "entry_key": key,
                        "content_hash": changed[key],
                        "changed_at": now,
                    }
                    for key in chunk
                ],
            )

    def changes(
        self, connection: Connection, list_id: int, since: int, limit: int
    ) -> Sequence[FeedChange]:
        """Up to ``limit`` changes of one list after sequence ``since``, in order."""
        query = (
            select(
                federation_feed.c.seq,
                federation_feed.c.entry_key,
                federation_feed.c.content_hash,
                list_entries.c.id.label("entry_id"),
            )
            .select_from(
                federation_feed.outerjoin(
                    list_entries,
                    (list_entries.c.list_id == federation_feed.c.list_id)
                    & (list_entries.c.entry_key == federation_feed.c.entry_key),
                )
            )
            .where(federation_feed.c.list_id == list_id, federation_feed.c.seq > since)
            .order_by(federation_feed.c.seq)
            .limit(limit)
        )
        return [
            FeedChange(
                int(row.seq),
                str(row.entry_key),
                None if row.content_hash is None or row.entry_id is None else int(row.entry_id),
            )
            for row in connection.execute(query)
        ]

    def head(self, connection: Connection, list_id: int) -> int:
        """The highest sequence number of a list's feed (0 when empty)."""
        value = connection.execute(
            select(federation_feed.c.seq)
            .where(federation_feed.c.list_id == list_id)
            .order_by(federation_feed.c.seq.desc())
            .limit(1)
        ).scalar_one_or_none()
        return 0 if value is None else int(value)
