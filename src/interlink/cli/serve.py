"""``interlink serve``: the REST API under uvicorn, on the store the settings name."""

from __future__ import annotations

from typing import Annotated

import typer

from interlink.cli.context import state


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8800,
    workers: Annotated[
        int, typer.Option("--workers", help="Server processes (PostgreSQL for more than 1).")
    ] = 1,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies",
            help="Send the session cookie over plain HTTP (only behind a local TLS proxy).",
        ),
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log",
            help="Log a line per request (method, path, status; off by default: the audit "
            "log records every authenticated access).",
        ),
    ] = False,
) -> None:
    """Serve the REST API (/api/v1, OpenAPI at /api/v1/openapi.json, /healthz, /readyz)."""
    import os

    from interlink.api.server import run
    from interlink.domain.errors import ConfigurationError

    shared = state(ctx)
    if workers < 1:
        raise ConfigurationError(f"--workers must be 1 or more, not {workers}")
    shared.store  # noqa: B018  (migrate once, before any worker starts)
    shared.close()
    os.environ["INTERLINK_DB"] = shared.settings.database_url
    os.environ["INTERLINK_HOME"] = str(shared.settings.home)
    os.environ.setdefault("INTERLINK_FEDERATION_INTERVAL", "60")  # periodic pulls from peers
    if insecure_cookies:
        os.environ["INTERLINK_INSECURE_COOKIES"] = "1"
    run(host, port, workers, access_log=access_log)
