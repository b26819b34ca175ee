"""The one mapping from errors to HTTP problem documents (RFC 9457).

Interlink's errors map by class (the most specific first); request validation errors name
each offending field; anything unexpected is a bare 500 problem, its details only in the
server log. Problem bodies never carry a traceback or a secret.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from interlink.domain.errors import (
    AccessDeniedError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    FormatError,
    IndexCorruptError,
    InterlinkError,
    InvalidFieldError,
    InvalidSignalError,
    NotFoundError,
    RateLimitedError,
    SourceError,
    StoreError,
    TooLargeError,
    UnknownSignalTypeError,
)

PROBLEM_JSON = "application/problem+json"
_LOG = logging.getLogger("interlink.api")

#: (error class, status, problem type slug, title), most specific first.
MAPPING: tuple[tuple[type[InterlinkError], int, str, str], ...] = (
    (AuthenticationError, 401, "unauthenticated", "Not authenticated"),
    (AccessDeniedError, 403, "forbidden", "Not allowed"),
    (NotFoundError, 404, "not-found", "Not found"),
    (ConflictError, 409, "conflict", "Conflict"),
    (TooLargeError, 413, "too-large", "Too large"),
    (RateLimitedError, 429, "rate-limited", "Too many requests"),
    (InvalidFieldError, 422, "invalid-field", "Invalid field"),
    (InvalidSignalError, 422, "invalid-hash", "Invalid hash value"),
    (UnknownSignalTypeError, 422, "unknown-hash-type", "Unknown hash type"),
    (FormatError, 422, "invalid-format", "Invalid file format"),
    (SourceError, 422, "source", "Evidence source cannot be opened"),
    (IndexCorruptError, 503, "index-damaged", "Index damaged"),
    (ConfigurationError, 503, "configuration", "Server misconfigured"),
    (StoreError, 503, "store", "Store unavailable"),
)


#: The JSON schema of a problem document, as the OpenAPI document declares it.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "retry_after": {"type": "integer"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not authenticated (or a revoked, expired or unknown token)",
    403: "Not allowed, or a missing CSRF token",
    404: "Not found (another agency's records are not found either)",
    405: "Method not allowed",
    409: "Conflicts with what is stored",
    413: "Upload or batch too large",
    422: "A field is invalid (``field`` names it)",
    429: "Rate limited (see Retry-After)",
    503: "Store unavailable",
}
#: Every problem a route can answer, for the OpenAPI document.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": text,
        "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
    }
    for status, text in _DESCRIPTIONS.items()
}


def problem(status: int, kind: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem document response."""
    body: dict[str, Any] = {
        "type": f"urn:interlink:problem:{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="interlink"'
    if "retry_after" in extra:
        headers["Retry-After"] = str(extra["retry_after"])
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def for_error(error: InterlinkError) -> JSONResponse:
    """The problem document of one of Interlink's errors."""
    for kind, status, slug, title in MAPPING:
        if isinstance(error, kind):
            extra: dict[str, Any] = {}
            field = getattr(error, "field", None)
            if isinstance(field, str):
                extra["field"] = field
            if isinstance(error, RateLimitedError):
                extra["retry_after"] = error.retry_after
            if status >= 500:
                _LOG.error("request failed: %s", error)
            return problem(status, slug, title, str(error), **extra)
    _LOG.error("request failed: %s", error)
    return problem(500, "internal", "Internal error", "the request failed; nothing was changed")


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or ".".join(str(p) for p in location)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""

    @app.exception_handler(InterlinkError)
    async def _interlink(_request: Request, exc: InterlinkError) -> JSONResponse:
        return for_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(tuple(e.get("loc", ()))), "message": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        first = errors[0]["field"] if errors else ""
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, "invalid-field", "Invalid field", detail, field=first, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        return problem(exc.status_code, slug, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        _LOG.exception("unexpected error", exc_info=exc)
        return problem(500, "internal", "Internal error", "the request failed")
