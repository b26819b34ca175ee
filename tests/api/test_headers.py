"""The security headers every response carries, unless the route set its own."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.testclient import TestClient

from interlink.api.headers import HEADERS, SecurityHeaders


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/plain")
    def plain() -> JSONResponse:
        return JSONResponse({"ok": True})

    @app.get("/own")
    def own() -> HTMLResponse:
        own_policy = {"Content-Security-Policy": "default-src 'self'"}
        return HTMLResponse("<p>page</p>", headers=own_policy)

    @app.get("/fails")
    def fails() -> JSONResponse:
        return JSONResponse({"detail": "no"}, status_code=404)

    app.add_middleware(SecurityHeaders)
    return app


def test_every_response_gets_the_headers_and_a_route_keeps_its_own() -> None:
    client = TestClient(_app())
    for path in ("/plain", "/fails", "/missing"):
        answer = client.get(path)
        for name, value in HEADERS.items():
            assert answer.headers[name] == value, (path, name)
            assert len(answer.headers.get_list(name)) == 1
    own = client.get("/own")
    assert own.headers.get_list("Content-Security-Policy") == ["default-src 'self'"]
    assert own.headers["X-Frame-Options"] == "DENY"
    assert own.text == "<p>page</p>"
