"""The application: one FastAPI app over one store, its routers under ``/api/v1`` (OpenAPI
at ``/api/v1/openapi.json``), health probes at the root, one error-to-problem mapping."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from interlink import __version__
from interlink.adapters.sql.store import SqlStore
from interlink.api import problems
from interlink.api.checkpoint_task import lifespan
from interlink.api.deps import ServerContext, ServerOptions
from interlink.api.headers import SecurityHeaders
from interlink.api.routes import (
    agencies,
    audit,
    audit_checkpoints,
    auth,
    cases,
    exposure,
    health,
    lists,
    lookups,
    media,
    networks,
    operations,
    referrals,
    review,
    scans,
    tokens,
    users,
)
from interlink.api.routes import casework as casework_routes
from interlink.api.routes import federation as federation_routes
from interlink.api.routes import grading as grading_routes
from interlink.bootstrap import open_store
from interlink.settings import Settings
from interlink.web.app import install as install_web

API_PREFIX = "/api/v1"
#: Every resource router, mounted under ``API_PREFIX``.
ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    users.router,
    agencies.router,
    tokens.router,
    cases.router,
    media.router,
    exposure.router,
    lists.router,
    lookups.router,
    networks.router,
    audit.router,
    grading_routes.router,
    casework_routes.router,
    scans.router,
    review.router,
    referrals.router,
    operations.router,
    audit_checkpoints.router,
)


def create_app(
    settings: Settings, *, store: SqlStore | None = None, options: ServerOptions | None = None
) -> FastAPI:
    """The API over ``store`` (default: the one ``settings`` name, migrated)."""
    app = FastAPI(
        title="Interlink",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.interlink = ServerContext(
        settings=settings,
        store=store if store is not None else open_store(settings),
        options=options or ServerOptions(),
    )
    problems.install(app)
    app.include_router(health.router)
    federation_routes.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=problems.RESPONSES)
    install_web(app)
    app.add_middleware(SecurityHeaders)
    return app
