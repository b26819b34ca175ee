"""The server's part in the signed audit: while it runs, a periodic task signs a checkpoint of
the audit chain whenever one is due by the settings' intervals (``checkpoint_if_due``, as a
CLI command does when it ends and the job worker after each job), and once more at shutdown.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

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


async def _call_all(handlers: list[Callable[[], Any]]) -> None:
    for handler in handlers:
        result = handler()
        if inspect.isawaitable(result):
            await result


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The application's lifespan: the periodic checkpoint task while it serves, and the
    start-up and shutdown handlers other parts registered (the federation worker), which a
    custom lifespan would otherwise leave uncalled."""
    context = app.state.interlink
    await _call_all(app.router.on_startup)
    task = asyncio.create_task(
        run(context.store, context.settings, context.options.checkpoint_check_seconds)
    )
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await _call_all(app.router.on_shutdown)
        await asyncio.to_thread(context.last_uses.close)
        await asyncio.to_thread(context.store.audit.close)
        await asyncio.to_thread(sign_if_due, context.store, context.settings)
