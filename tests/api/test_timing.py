"""Per-request phase timings: off unless asked for; on, one line per request with the marks
the request passed, those made in its thread-pool calls included, in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from interlink.api import timing


def _app(out: Path | None) -> FastAPI:
    app = FastAPI()

    async def checked() -> None:
        timing.mark("dependency")

    @app.get("/threaded", dependencies=[Depends(checked)])
    def threaded() -> JSONResponse:
        timing.mark("in thread")
        return JSONResponse({"ok": True})

    if out is not None:
        app.add_middleware(timing.RequestTiming, out=out)
    return app


def test_each_request_is_one_line_with_its_marks_in_order(tmp_path: Path) -> None:
    out = tmp_path / "timing"
    client = TestClient(_app(out))
    assert client.get("/threaded").status_code == 200
    assert client.get("/missing").status_code == 404
    lines = [json.loads(text) for text in out.read_text().splitlines()]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/threaded", 200),
        ("GET", "/missing", 404),
    ]
    names = [name for name, _ in lines[0]["marks"]]
    assert names == ["start", "dependency", "in thread", "respond", "sent"]
    moments = [ms for _, ms in lines[0]["marks"]]
    assert moments == sorted(moments) and moments[0] == 0.0


def test_marks_outside_a_timed_request_are_ignored() -> None:
    timing.mark("nowhere")  # no request: nothing to note, no error
    client = TestClient(_app(None))
    assert client.get("/threaded").status_code == 200


def test_install_times_only_when_the_environment_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(timing.ENVIRONMENT, raising=False)
    plain = _app(None)
    timing.install(plain)
    assert not any(getattr(m, "cls", None) is timing.RequestTiming for m in plain.user_middleware)
    monkeypatch.setenv(timing.ENVIRONMENT, str(tmp_path / "timing"))
    timed = _app(None)
    timing.install(timed)
    TestClient(timed).get("/threaded")
    written = list(tmp_path.glob("timing.*"))
    assert len(written) == 1
    assert json.loads(written[0].read_text().splitlines()[0])["path"] == "/threaded"
