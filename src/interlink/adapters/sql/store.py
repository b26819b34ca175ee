"""The SQL store: one engine, its repositories, and transactions spanning them.

Each repository is built (and its module imported) the first time it is used: a command that
only lists cases does not pay for the schemas of accounts, chats or federation.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from interlink.adapters.sql.engine import make_engine, migrate

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from interlink.adapters.secret_box import SecretBox
    from interlink.adapters.sql.accounts import AccountRepository
    from interlink.adapters.sql.audit import AuditLog
    from interlink.adapters.sql.audit_checkpoints import CheckpointRepository
    from interlink.adapters.sql.cases import CaseRepository
    from interlink.adapters.sql.casework import CaseworkRepository
    from interlink.adapters.sql.chats import ChatRepository
    from interlink.adapters.sql.feed import FeedRepository
    from interlink.adapters.sql.holdings import HoldingsRepository
    from interlink.adapters.sql.jobs import JobRepository
    from interlink.adapters.sql.links import LinkRepository
    from interlink.adapters.sql.list_history import ListHistory
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

    def __init__(self, engine: Engine, secrets: SecretBox | None = None) -> None:
        self.engine = engine
        #: Seals the secrets the store keeps (TOTP, IdP client secrets); ``None`` in a bare
        #: library store, which keeps them as given.
        self.secrets = secrets

    @cached_property
    def cases(self) -> CaseRepository:
        from interlink.adapters.sql.cases import CaseRepository

        return CaseRepository(self.engine)

    @cached_property
    def lists(self) -> ListRepository:
        from interlink.adapters.sql.lists import ListRepository

        return ListRepository(self.engine)

    @cached_property
    def list_history(self) -> ListHistory:
        from interlink.adapters.sql.list_history import ListHistory

        return ListHistory(self.engine)

    @cached_property
    def list_views(self) -> ListViews:
        from interlink.adapters.sql.list_views import ListViews

        return ListViews(self.engine)

    @cached_property
    def media(self) -> MediaRepository:
        from interlink.adapters.sql.media import MediaRepository

        return MediaRepository(self.engine)

    @cached_property
    def audit(self) -> AuditLog:
        from interlink.adapters.sql.audit import AuditLog

        return AuditLog(self.engine)

    @cached_property
    def checkpoints(self) -> CheckpointRepository:
        from interlink.adapters.sql.audit_checkpoints import CheckpointRepository

        return CheckpointRepository(self.engine)

    @cached_property
    def jobs(self) -> JobRepository:
        from interlink.adapters.sql.jobs import JobRepository

        return JobRepository(self.engine)

    @cached_property
    def casework(self) -> CaseworkRepository:
        from interlink.adapters.sql.casework import CaseworkRepository

        return CaseworkRepository(self.engine)

    @cached_property
    def links(self) -> LinkRepository:
        from interlink.adapters.sql.links import LinkRepository

        return LinkRepository(self.engine)

    @cached_property
    def watches(self) -> WatchRepository:
        from interlink.adapters.sql.watches import WatchRepository

        return WatchRepository(self.engine)

    @cached_property
    def peers(self) -> PeerRepository:
        from interlink.adapters.sql.peers import PeerRepository

        return PeerRepository(self.engine)

    @cached_property
    def feed(self) -> FeedRepository:
        from interlink.adapters.sql.feed import FeedRepository

        return FeedRepository(self.engine)

    @cached_property
    def holdings(self) -> HoldingsRepository:
        from interlink.adapters.sql.holdings import HoldingsRepository

        return HoldingsRepository(self.engine)

    @cached_property
    def accounts(self) -> AccountRepository:
        from interlink.adapters.sql.accounts import AccountRepository

        return AccountRepository(self.engine, self.secrets)

    @cached_property
    def scoped_cases(self) -> ScopedCases:
        from interlink.adapters.sql.scoped import ScopedCases

        return ScopedCases(self.engine)

    @cached_property
    def chats(self) -> ChatRepository:
        from interlink.adapters.sql.chats import ChatRepository

        return ChatRepository(self.engine)

    @cached_property
    def reviews(self) -> ReviewRepository:
        from interlink.adapters.sql.reviews import ReviewRepository

        return ReviewRepository(self.engine)

    @classmethod
    def open(
        cls, url: str, *, migrate_schema: bool = True, secrets: SecretBox | None = None
    ) -> SqlStore:
        """Connect to ``url`` and (by default) bring its schema up to date; ``secrets`` seals
        the secrets it keeps."""
        engine = make_engine(url)
        if migrate_schema:
            migrate(engine)
        return cls(engine, secrets)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction, committed on success and rolled back on error."""
        with self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        """Chain the audit records this process queued, then release every pooled
        connection."""
        if "audit" in self.__dict__:
            self.audit.close()
        self.engine.dispose()
