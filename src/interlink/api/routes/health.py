"""``/healthz`` (the process is up) and ``/readyz`` (the database answers and its schema is
at the newest migration)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from interlink.adapters.sql.engine import is_current
from interlink.api import rules
from interlink.api.deps import Context

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """Whether the server is up or ready, and why not."""

    status: str
    detail: str = ""


@router.get("/healthz", response_model=Health, openapi_extra=rules.public())
def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses={503: {"model": Health}},
    openapi_extra=rules.public(),
)
def readyz(context: Context) -> Health | JSONResponse:
    """The database answers and its schema is at the newest migration."""
    try:
        with context.store.engine.connect() as connection:
            connection.execute(text("select 1"))
        current = is_current(context.store.engine)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "detail": "database unreachable"}, 503)
    if not current:
        return JSONResponse({"status": "unavailable", "detail": "migrations not at head"}, 503)
    return Health(status="ready")
