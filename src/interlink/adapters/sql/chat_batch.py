"""The writes of a chat import, one batch of messages per transaction, as plain tuples
through the driver (``adapters.sql.bulk``): messages, identifiers, where each identifier was
met, and cue hits. Rows already stored under the same key are skipped, so an export imported
twice is stored once (the rows are those ``ChatRepository``'s Core writes would store).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from interlink.adapters.sql.bulk import BulkInsert, select_ids
from interlink.adapters.sql.chat_schema import (
    chat_cues,
    chat_identifier_messages,
    chat_identifiers,
    chat_messages,
)

#: The columns of a message row, in the order of the tuples ``ChatBatch.messages`` takes
#: (after ``conversation_id``, which the batch adds).
MESSAGE_COLUMNS = (
    "key",
    "position",
    "sender_key",
    "sender_name",
    "recipients",
    "sent_at",
    "time_text",
    "local_time",
    "text",
    "service",
    "action",
    "reply_to",
    "forwarded_from",
    "edited",
    "edited_at",
    "deleted",
)
#: The columns of a cue row: conversation, message, cue, spans (``[[start, end], ...]``), age.
CUE_COLUMNS = ("conversation_id", "message_id", "cue", "spans", "age")


class _Statements:
    """The statements of one backend, written once."""

    def __init__(self, connection: Connection) -> None:
        self.messages = BulkInsert(
            connection,
            chat_messages,
            ("conversation_id", *MESSAGE_COLUMNS),
            ("conversation_id", "key"),
        )
        self.identifiers = BulkInsert(
            connection,
            chat_identifiers,
            ("case_id", "kind", "value", "e164"),
            ("case_id", "kind", "value"),
        )
        self.links = BulkInsert(
            connection,
            chat_identifier_messages,
            ("identifier_id", "message_id"),
            ("identifier_id", "message_id"),
        )
        self.cues = BulkInsert(connection, chat_cues, CUE_COLUMNS, ("message_id", "cue"))


_STATEMENTS: dict[str, _Statements] = {}


class ChatBatch:
    """The writes of one transaction of a chat import."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        name = connection.dialect.name
        if name not in _STATEMENTS:
            _STATEMENTS[name] = _Statements(connection)
        self.statements = _STATEMENTS[name]

    def messages(self, conversation_id: int, rows: Iterable[tuple[Any, ...]]) -> None:
        """Store message rows (tuples in ``MESSAGE_COLUMNS`` order) of a conversation."""
        self.statements.messages.run(self.connection, [(conversation_id, *row) for row in rows])

    def message_ids(self, conversation_id: int, keys: Sequence[str]) -> dict[str, int]:
        """The ids of the messages of a conversation stored under ``keys``."""
        return select_ids(
            self.connection, chat_messages, [("conversation_id", conversation_id)], "key", keys
        )

    def identifiers(
        self, case_id: uuid.UUID, found: Mapping[tuple[str, str], bool]
    ) -> dict[tuple[str, str], int]:
        """Store identifiers ``(kind, value) -> e164`` of a case; answer their ids."""
        rows = [(case_id, kind, value[:400], e164) for (kind, value), e164 in found.items()]
        self.statements.identifiers.run(self.connection, rows)
        stored: dict[tuple[str, str], int] = {}
        by_kind: dict[str, set[str]] = {}
        for kind, value in found:
            by_kind.setdefault(kind, set()).add(value[:400])
        for kind, values in by_kind.items():
            where = [("case_id", case_id), ("kind", kind)]
            ids = select_ids(self.connection, chat_identifiers, where, "value", sorted(values))
            stored.update({(kind, value): ident for value, ident in ids.items()})
        return {(kind, value): stored[(kind, value[:400])] for kind, value in found}

    def link_identifiers(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Record that identifier ``i`` was met in message ``m`` for each ``(i, m)``."""
        self.statements.links.run(self.connection, sorted(set(pairs)))

    def cues(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Store cue hits (tuples in ``CUE_COLUMNS`` order; unique by message and cue)."""
        self.statements.cues.run(self.connection, rows)
