"""What one chat import has met, kept in temporary tables of the import's connection rather
than in the importer's memory: the identifiers (for the count of distinct identifiers), the
participants of each conversation (for their count), and the identifiers to link the case
by (read back a page at a time once the import is stored).

Rows are added batch by batch with ``INSERT ... ON CONFLICT DO NOTHING``, so memory stays
flat whatever the size of the export: the database deduplicates. The tables are temporary
(SQLite's and PostgreSQL's ``CREATE TEMP TABLE``): they live as long as the connection, are
seen by no other, and are no part of the schema.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BigInteger, Column, Connection, MetaData, Table, Text, exists, select

from interlink.adapters.sql.bulk import BulkInsert

_METADATA = MetaData()
_IDENTIFIERS = Table(
    "chat_run_identifiers", _METADATA, Column("identifier_id", BigInteger, primary_key=True)
)
_PARTICIPANTS = Table(
    "chat_run_participants",
    _METADATA,
    Column("conversation_id", BigInteger, primary_key=True),
    Column("participant", Text, primary_key=True),
)
#: ``run_key``: the importer's key of a linkable identifier (the first met under it is kept);
#: ``link_key``: its normalised key (``linking.identifier_key``), under which the last kept
#: is the one linked, as ``services.cases.add_identifiers`` keeps the last of a key.
_LINKS = Table(
    "chat_run_links",
    _METADATA,
    Column("run_key", Text, primary_key=True),
    Column("link_key", Text, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", Text, nullable=False),
    Column("value", Text, nullable=False),
    Column("service", Text, nullable=True),
)
_CREATE = (
    "CREATE TEMP TABLE IF NOT EXISTS chat_run_identifiers (identifier_id BIGINT PRIMARY KEY)",
    "CREATE TEMP TABLE IF NOT EXISTS chat_run_participants "
    "(conversation_id BIGINT NOT NULL, participant TEXT NOT NULL, "
    "PRIMARY KEY (conversation_id, participant))",
    "CREATE TEMP TABLE IF NOT EXISTS chat_run_links (run_key TEXT PRIMARY KEY, "
    "link_key TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, "
    "service TEXT)",
    "CREATE INDEX IF NOT EXISTS ix_chat_run_links ON chat_run_links (link_key, seq)",
)

#: A linkable identifier: ``(run_key, link_key, kind, value, service)``.
Link = tuple[str, str, str, str, str | None]


class ChatRun:
    """The temporary tables of one import on ``connection`` (emptied when opened); call
    ``close`` to drop them. Every method runs in the caller's transaction, if any."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        for statement in _CREATE:
            connection.exec_driver_sql(statement)
        for table in (_IDENTIFIERS, _PARTICIPANTS, _LINKS):
            connection.execute(table.delete())
        self._identifiers = BulkInsert(
            connection, _IDENTIFIERS, ("identifier_id",), ("identifier_id",)
        )
        self._participants = BulkInsert(
            connection,
            _PARTICIPANTS,
            ("conversation_id", "participant"),
            ("conversation_id", "participant"),
        )
        self._links = BulkInsert(
            connection,
            _LINKS,
            ("run_key", "link_key", "seq", "kind", "value", "service"),
            ("run_key",),
        )
        self._seq = 0

    def identifiers(self, ids: Iterable[int]) -> None:
        """Record that the identifiers of these row ids were met."""
        self._identifiers.run(self.connection, [(ident,) for ident in sorted(set(ids))])

    def participants(self, conversation_id: int, keys: Iterable[str]) -> None:
        """Record that the participants under ``keys`` were met in a conversation."""
        rows = [(conversation_id, key) for key in sorted(set(keys))]
        self._participants.run(self.connection, rows)

    def links(self, found: Iterable[Link]) -> None:
        """Record identifiers to link the case by, in the order met (a run key met before
        keeps its first)."""
        rows = []
        for run_key, link_key, kind, value, service in found:
            self._seq += 1
            rows.append((run_key, link_key, self._seq, kind, value, service))
        self._links.run(self.connection, rows)

    def counts(self) -> tuple[int, int]:
        """``(identifiers, participants)`` met, each counted once."""
        count = "SELECT count(*) FROM "
        identifiers = self.connection.exec_driver_sql(count + _IDENTIFIERS.name).scalar_one()
        participants = self.connection.exec_driver_sql(count + _PARTICIPANTS.name).scalar_one()
        return int(identifiers), int(participants)

    def links_after(self, seq: int, size: int) -> list[tuple[int, str, str, str | None]]:
        """The next at most ``size`` identifiers to link by after the one numbered ``seq``
        (0: from the first), ``(seq, kind, value, service)`` in the order met, one per
        normalised key (the last met of it)."""
        later = _LINKS.alias("later")
        newest = ~exists().where(later.c.link_key == _LINKS.c.link_key, later.c.seq > _LINKS.c.seq)
        query = (
            select(_LINKS.c.seq, _LINKS.c.kind, _LINKS.c.value, _LINKS.c.service)
            .where(newest, _LINKS.c.seq > seq)
            .order_by(_LINKS.c.seq)
            .limit(size)
        )
        return [(int(r.seq), r.kind, r.value, r.service) for r in self.connection.execute(query)]

    def close(self) -> None:
        """Drop the tables."""
        for table in (_IDENTIFIERS, _PARTICIPANTS, _LINKS):
            self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")
