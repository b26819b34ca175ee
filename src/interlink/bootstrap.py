"""Wiring: the one place that turns settings into adapters."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # each adapter is imported by the function that makes it
    from interlink.adapters.secret_box import SecretBox
    from interlink.adapters.sql.store import SqlStore
    from interlink.adapters.sqlite_reads import SqliteReads
    from interlink.job_queue import JobQueue
    from interlink.settings import Settings


def open_store(settings: Settings) -> SqlStore:
    """The store the settings name, its schema brought up to date, sealing the secrets it
    keeps with the node's audit key (read when a secret is first sealed or opened)."""
    from interlink.adapters.sql.store import SqlStore

    return SqlStore.open(settings.database_url, secrets=secret_box(settings))


def secret_box(settings: Settings) -> SecretBox:
    """What seals the secrets the store keeps: the node's audit key (``settings``)."""
    from interlink.adapters.secret_box import SecretBox

    return SecretBox(settings.audit_key_path)


def open_reads(settings: Settings) -> SqliteReads | None:
    """A reader of the store that does not load SQLAlchemy, if the settings name a SQLite file
    at the newest migration; ``None`` otherwise (use ``open_store``)."""
    from interlink.adapters.sqlite_reads import SqliteReads

    return SqliteReads.open(settings.database_url)


def open_queue(settings: Settings, store: SqlStore, *, stalled_seconds: float = 30.0) -> JobQueue:
    """The job queue for the store: procrastinate on PostgreSQL, the local one on SQLite
    (``stalled_seconds``: how long a PostgreSQL worker may miss heartbeats before its job is
    taken back)."""
    if store.engine.dialect.name == "postgresql":
        from interlink.adapters.jobs_procrastinate import ProcrastinateQueue

        return ProcrastinateQueue(settings.database_url, stalled_seconds=stalled_seconds)
    from interlink.adapters.jobs_local import LocalQueue

    return LocalQueue(store)
