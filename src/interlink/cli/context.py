"""What every command shares: the settings and, once needed, the open store."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from interlink.adapters.sql.store import SqlStore
from interlink.bootstrap import open_store
from interlink.settings import Settings


@dataclass
class State:
    """Settings read once at start-up, and the store opened on first use."""

    settings: Settings
    _store: SqlStore | None = field(default=None, repr=False)

    @property
    def store(self) -> SqlStore:
        """The store, opened (and migrated) on first use."""
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


def state(ctx: typer.Context) -> State:
    """The shared state of this invocation."""
    found = ctx.find_root().obj
    if not isinstance(found, State):
        raise RuntimeError("the root command did not set up its state")
    return found
