"""The server's part in the signed audit: while it runs, a periodic task signs a checkpoint of
the audit chain whenever one is due by the settings' intervals (``checkpoint_if_due``, as a
CLI command does when it ends and the job worker after each job), and once more at shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import ConfigurationError
from interlink.services.audit import checkpoint_if_due
from interlink.settings import Settings

log = logging.getLogger("interlink.audit")


def sign_if_due(store: SqlStore, settings: Settings) -> bool:
    """Sign a checkpoint if one is due (the key is made on first use); whether one was. A
    failure is logged, never raised: the server goes on and the next round tries again."""
    try:
        return checkpoint_if_due(store, settings, create_key=True) is not None
    except (ConfigurationError, SQLAlchemyError, OSError) as exc:
        log.warning("no audit checkpoint signed: %s", exc)
        return False


async def run(store: SqlStore, settings: Settings, every: float) -> None:
    """Check every ``every`` seconds, until cancelled."""
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(sign_if_due, store, settings)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The application's lifespan: the periodic checkpoint task while it serves."""
    context = app.state.interlink
    task = asyncio.create_task(
        run(context.store, context.settings, context.options.checkpoint_check_seconds)
    )
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await asyncio.to_thread(sign_if_due, context.store, context.settings)
