"""The SQL store: one engine, its repositories, and transactions spanning them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from interlink.adapters.sql.accounts import AccountRepository
from interlink.adapters.sql.audit import AuditLog
from interlink.adapters.sql.audit_checkpoints import CheckpointRepository
from interlink.adapters.sql.cases import CaseRepository
from interlink.adapters.sql.casework import CaseworkRepository
from interlink.adapters.sql.chats import ChatRepository
from interlink.adapters.sql.engine import make_engine, migrate
from interlink.adapters.sql.feed import FeedRepository
from interlink.adapters.sql.holdings import HoldingsRepository
from interlink.adapters.sql.jobs import JobRepository
from interlink.adapters.sql.links import LinkRepository
from interlink.adapters.sql.list_views import ListViews
from interlink.adapters.sql.lists import ListRepository
from interlink.adapters.sql.media import MediaRepository
from interlink.adapters.sql.peers import PeerRepository
from interlink.adapters.sql.reviews import ReviewRepository
from interlink.adapters.sql.scoped import ScopedCases
from interlink.adapters.sql.watches import WatchRepository


class SqlStore:
    """Interlink's store on SQLite or PostgreSQL.

    Writes go through ``transaction()``; repositories take its connection so one use case
    commits (or rolls back) as a whole, audit record included.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cases = CaseRepository(engine)
        self.lists = ListRepository(engine)
        self.list_views = ListViews(engine)
        self.media = MediaRepository(engine)
        self.audit = AuditLog(engine)
        self.checkpoints = CheckpointRepository(engine)
        self.jobs = JobRepository(engine)
        self.casework = CaseworkRepository(engine)
        self.links = LinkRepository(engine)
        self.watches = WatchRepository(engine)
        self.peers = PeerRepository(engine)
        self.feed = FeedRepository(engine)
        self.holdings = HoldingsRepository(engine)
        self.accounts = AccountRepository(engine)
        self.scoped_cases = ScopedCases(engine)
        self.chats = ChatRepository(engine)
        self.reviews = ReviewRepository(engine)

    @classmethod
    def open(cls, url: str, *, migrate_schema: bool = True) -> SqlStore:
        """Connect to ``url`` and (by default) bring its schema up to date."""
        engine = make_engine(url)
        if migrate_schema:
            migrate(engine)
        return cls(engine)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction, committed on success and rolled back on error."""
        with self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()
