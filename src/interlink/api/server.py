"""The application factory uvicorn's worker processes call: settings from the environment."""

from __future__ import annotations

import os

from fastapi import FastAPI

from interlink.api.app import create_app
from interlink.api.deps import ServerOptions
from interlink.settings import Settings


def app_from_environment() -> FastAPI:
    """The API on the store ``INTERLINK_DB`` names (``interlink serve`` sets it)."""
    options = ServerOptions(cookie_secure=os.environ.get("INTERLINK_INSECURE_COOKIES") != "1")
    return create_app(Settings.load(), options=options)
