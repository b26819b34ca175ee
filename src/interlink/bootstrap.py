"""Wiring: the one place that turns settings into adapters."""

from __future__ import annotations

from interlink.adapters.sql.store import SqlStore
from interlink.settings import Settings


def open_store(settings: Settings) -> SqlStore:
    """The store the settings name, its schema brought up to date."""
    return SqlStore.open(settings.database_url)
