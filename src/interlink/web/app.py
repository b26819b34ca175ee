"""Mount the web interface on the API's application: its pages, its static assets (served
from the package: the interface works air-gapped) and HTML error pages for page routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from interlink.web import (
    admin_pages,
    auth_pages,
    clue_pages,
    errors,
    job_pages,
    list_pages,
    media_pages,
    network_pages,
    operation_pages,
    pages,
    work_pages,
)

STATIC = Path(__file__).parent / "static"
#: Every page router, mounted at the root (pages are left out of the OpenAPI document).
PAGE_ROUTERS: tuple[APIRouter, ...] = (
    auth_pages.router,
    pages.router,
    media_pages.router,
    work_pages.router,
    list_pages.router,
    clue_pages.router,
    job_pages.router,
    network_pages.router,
    operation_pages.router,
    admin_pages.router,
)


def install(app: FastAPI) -> None:
    """Add the pages to ``app`` (after the API's routers and error handlers)."""
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
