"""The load benchmark's phase summary: per endpoint, each step between two marks, and the
slowest 1 % told apart."""

from __future__ import annotations

import json
from pathlib import Path

from bench import server_phases


def _line(path: str, marks: list[tuple[str, float]], at: float = 100.0) -> str:
    return json.dumps({"at": at, "method": "GET", "path": path, "status": 200, "marks": marks})


def test_steps_per_endpoint_and_the_tail(tmp_path: Path) -> None:
    single = "/api/v1/lookups/pdq/ab"
    rows = [_line(single, [("start", 0.0), ("auth", 1.0), ("sent", 2.0)]) for _ in range(99)]
    rows.append(_line(single, [("start", 0.0), ("auth", 90.0), ("sent", 100.0)]))
    rows.append(_line("/api/v1/cases/C/report", [("start", 0.0), ("sent", 7.0)]))
    rows.append(_line(single, [("start", 0.0), ("sent", 1.0)], at=1.0))  # before the clock
    rows.append(_line("/healthz", [("start", 0.0), ("sent", 1.0)]))
    (tmp_path / "timing.1").write_text("\n".join(rows) + "\n")
    found = server_phases.summary(tmp_path, since=50.0)
    assert set(found) == {"GET /lookups/pdq/{value}", "GET /cases/{case}/report"}
    single_steps = found["GET /lookups/pdq/{value}"]
    assert single_steps["requests"] == 100
    assert single_steps["steps_ms"]["start->auth"] == {"p50": 1.0, "p99": 90.0, "tail_mean": 90.0}
    assert single_steps["steps_ms"]["total"]["p50"] == 2.0
    assert found["GET /cases/{case}/report"]["steps_ms"]["start->sent"]["p99"] == 7.0
    assert any("start->auth" in line for line in server_phases.render(found))


def test_the_server_s_loop_lag_from_the_clock_s_start(tmp_path: Path) -> None:
    (tmp_path / "timing-lag.1").write_text(
        json.dumps([10.0, [500.0]]) + "\n" + json.dumps([60.0, [0.5] * 98 + [3.0, 40.0]]) + "\n"
    )
    (tmp_path / "timing-lag.2").write_text(json.dumps([61.0, [1.0]]) + "\n")
    found = server_phases.loop_lag(tmp_path, since=50.0)
    assert found == {"samples": 101, "p50_ms": 0.5, "p99_ms": 3.0, "max_ms": 40.0}
    assert server_phases.loop_lag(tmp_path / "none", since=0.0) == {"samples": 0}
