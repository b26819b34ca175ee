"""Per-request phase timings, to find where a request's time goes under load (the load
benchmark's ``--phases``). Off unless ``INTERLINK_REQUEST_TIMING`` names a file: then every
HTTP request appends one JSON line to it: when it came (``at``, Unix time), its method, path,
status, and the moments (milliseconds
since the server process received the request) of each phase mark the code passed, in order.

``mark(name)`` costs one context-variable read when timing is off. The marks are kept in a
list in a context variable set by the middleware, which the request's thread-pool calls see
(anyio copies the context into them).
"""

from __future__ import annotations

import json
import os
import threading
import time
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Environment variable naming the file the timings are appended to.
ENVIRONMENT = "INTERLINK_REQUEST_TIMING"

_marks: ContextVar[list[tuple[str, float]] | None] = ContextVar("interlink_marks", default=None)


def mark(name: str) -> None:
    """Note that the current request reached phase ``name`` now (nothing if timing is off)."""
    marks = _marks.get()
    if marks is not None:
        marks.append((name, time.perf_counter()))


class RequestTiming:
    """Pure ASGI middleware: times every HTTP request's phases into ``out`` (one JSON line
    each: ``method``, ``path``, ``status``, ``marks`` as ``[name, ms]`` pairs, the first
    ``start``, the last ``sent`` when the response's last byte was handed to the server)."""

    def __init__(self, app: ASGIApp, out: Path) -> None:
        self.app = app
        self._out = out
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        marks: list[tuple[str, float]] = [("start", time.perf_counter())]
        wall = time.time()
        status: list[int] = []

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
                marks.append(("respond", time.perf_counter()))
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                marks.append(("sent", time.perf_counter()))

        reset = _marks.set(marks)
        try:
            await self.app(scope, receive, timed)
        finally:
            _marks.reset(reset)
            self._write(scope, wall, status, marks)

    def _write(
        self, scope: Scope, wall: float, status: list[int], marks: list[tuple[str, float]]
    ) -> None:
        began = marks[0][1]
        line: dict[str, Any] = {
            "at": round(wall, 3),
            "method": scope.get("method", ""),
            "path": scope.get("path", ""),
            "status": status[0] if status else 0,
            "marks": [[name, round((at - began) * 1000.0, 3)] for name, at in marks],
        }
        text = json.dumps(line) + "\n"
        with self._lock, self._out.open("a", encoding="utf-8") as out:
            out.write(text)


def install(app: Any) -> None:
    """Add ``RequestTiming`` to ``app`` (outermost) if ``INTERLINK_REQUEST_TIMING`` is set;
    each server process appends to ``<file>.<pid>``."""
    target = os.environ.get(ENVIRONMENT)
    if target:
        app.add_middleware(RequestTiming, out=Path(f"{target}.{os.getpid()}"))
