"""What every command shares: the settings and, once needed, the open store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

from interlink.settings import Settings

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only by commands that open it
    from interlink.adapters.sql.store import SqlStore
    from interlink.adapters.sqlite_reads import SqliteReads
    from interlink.domain.cases import Agency
    from interlink.domain.principal import Principal
    from interlink.services.case_list import ListingStore


@dataclass
class State:
    """Settings read once at start-up, and the store and acting agency opened on first use."""

    settings: Settings
    _store: SqlStore | None = field(default=None, repr=False)
    _agency: Agency | None = field(default=None, repr=False)
    _reads: SqliteReads | None = field(default=None, repr=False)

    @property
    def store(self) -> SqlStore:
        """The store, opened (and migrated) on first use."""
        if self._store is None:
            from interlink.bootstrap import open_store

            self._store = open_store(self.settings)
        return self._store

    @property
    def agency(self) -> Agency:
        """The acting agency (``--agency`` / ``INTERLINK_AGENCY``), created on first use."""
        if self._agency is None:
            from interlink.services.cases import acting_agency

            self._agency = acting_agency(
                self.store,
                self.settings.agency,
                self.settings.country,
                actor=self.settings.actor,
            )
        return self._agency

    def for_listing(self) -> tuple[ListingStore, Agency]:
        """A store to list cases from, and the acting agency. Without opening the SQL store
        (nor importing SQLAlchemy) when the standard-library SQLite reader can serve: the store
        is a SQLite file at the newest migration that holds the acting agency already, and there
        is no audit key file (a command that opens the store signs a checkpoint at its end
        when one is due). Otherwise the store, migrated, and the agency, created if new."""
        if self._store is None and not self.settings.audit_key_path.exists():
            from interlink.bootstrap import open_reads
            from interlink.domain.errors import NotFoundError

            reads = self._reads or open_reads(self.settings)
            if reads is not None:
                self._reads = reads
                try:
                    return reads, reads.cases.agency(self.settings.agency)
                except NotFoundError:
                    pass
        return self.store, self.agency

    @property
    def principal(self) -> Principal:
        """Who the command line acts as: the one local user of this install, with every role,
        for the acting agency (the operator of the node's own shell)."""
        from interlink.domain.principal import Principal

        agency = self.agency
        return Principal.local(agency.id, agency.name, self.settings.actor)

    def close(self) -> None:
        """Sign an audit checkpoint if one is due, then close the store, if it was opened.
        Without a key file nothing is signed (``checkpoint_if_due``), so the audit service is
        not even imported. A reader (``for_listing``) is closed too."""
        if self._reads is not None:
            self._reads.close()
            self._reads = None
        if self._store is not None and not self.settings.audit_key_path.exists():
            self._store.close()
            self._store = None
        if self._store is not None:
            from interlink.cli.output import errors
            from interlink.domain.errors import AuditKeyError
            from interlink.services.audit import checkpoint_if_due

            try:
                checkpoint_if_due(self._store, self.settings)
            except AuditKeyError as exc:
                errors.print(f"warning: no audit checkpoint signed: {exc}", soft_wrap=True)
            finally:
                self._store.close()
                self._store = None


def state(ctx: typer.Context) -> State:
    """The shared state of this invocation."""
    found = ctx.find_root().obj
    if not isinstance(found, State):
        raise RuntimeError("the root command did not set up its state")
    return found
