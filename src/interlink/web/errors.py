"""Errors on pages are pages: the same status the API would answer, shown as HTML (the login
form for 401); API paths keep their problem documents."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from interlink.api import problems
from interlink.domain.errors import InterlinkError
from interlink.web.render import page

_NOT_PAGES = ("/api/", "/healthz", "/readyz")
_TITLES = {
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "Check what you entered",
    429: "Too many requests",
}


def is_page(path: str) -> bool:
    """Whether ``path`` is a page (not the API nor a probe)."""
    return not path.startswith(_NOT_PAGES)


def error_page(request: Request, status: int, detail: str) -> Response:
    """The page for an error with ``status``."""
    if status == 401:
        from interlink.web.auth_pages import login_page

        return login_page(request, status=401, next=request.url.path)
    title = _TITLES.get(status, "Something went wrong")
    return page(request, "error.html", status=status, title=title, detail=detail)


def install(app: FastAPI) -> None:
    """Render errors of page routes as pages; leave the API's handlers for its paths."""
    api: dict[Any, Any] = dict(app.exception_handlers)

    async def _interlink(request: Request, exc: Exception) -> Response:
        if not is_page(request.url.path):
            return await api[InterlinkError](request, exc)  # type: ignore[no-any-return]
        assert isinstance(exc, InterlinkError)
        answer = problems.for_error(exc)
        status = answer.status_code
        return error_page(request, status, str(exc) if status < 500 else "")

    async def _http(request: Request, exc: Exception) -> Response:
        if not is_page(request.url.path):
            return await api[StarletteHTTPException](request, exc)  # type: ignore[no-any-return]
        assert isinstance(exc, StarletteHTTPException)
        return error_page(request, exc.status_code, str(exc.detail))

    async def _invalid(request: Request, exc: Exception) -> Response:
        if not is_page(request.url.path):
            return await api[RequestValidationError](request, exc)  # type: ignore[no-any-return]
        return error_page(request, 422, "a value in the address is not valid")

    app.add_exception_handler(InterlinkError, _interlink)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _invalid)
