"""Where a request's time goes inside the server, for ``bench/server.py --phases``: the server
runs with ``INTERLINK_REQUEST_TIMING`` (``api/timing.py``) and each of its processes writes one
line per request with the moments it passed each phase mark; this module reads them back.

Per endpoint and per step between two consecutive marks (``start->auth``: from the moment the
application got the request to the authentication dependency running in its thread, and so
on): p50 and p99 of the step's milliseconds, and its mean among the endpoint's slowest 1 %
of requests (by the server's own time, ``start`` to ``sent``): where the tail goes.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

ENDPOINTS = (
    ("GET", "/api/v1/lookups/pdq/", "GET /lookups/pdq/{value}"),
    ("POST", "/api/v1/lookups", "POST /lookups (batch)"),
    ("GET", "/report", "GET /cases/{case}/report"),
    ("GET", "/api/v1/cases/", "GET /cases/{case}"),
)


def endpoint(method: str, path: str) -> str | None:
    """The benchmark's name of a request, or None for another one."""
    for wanted, part, name in ENDPOINTS:
        if method == wanted and (path.endswith(part) if part == "/report" else part in path):
            return name
    return None


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def summary(folder: Path, since: float) -> dict[str, Any]:
    """The phases of the requests every server process logged under ``folder`` that started
    at or after ``since`` (``time.time()``)."""
    steps: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    requests: dict[str, list[dict[str, float]]] = defaultdict(list)
    for path in sorted(folder.glob("timing.*")):
        for text in path.read_text(encoding="utf-8").splitlines():
            line = json.loads(text)
            name = endpoint(line["method"], line["path"])
            if name is None or line["at"] < since:
                continue
            marks = line["marks"]
            durations = {f"{a[0]}->{b[0]}": b[1] - a[1] for a, b in itertools.pairwise(marks)}
            durations["total"] = marks[-1][1]
            requests[name].append(durations)
            for step, ms in durations.items():
                steps[name][step].append(ms)
    result: dict[str, Any] = {}
    for name, rows in sorted(requests.items()):
        cut = _quantile([r["total"] for r in rows], 0.99)
        tail = [r for r in rows if r["total"] >= cut]
        result[name] = {
            "requests": len(rows),
            "steps_ms": {
                step: {
                    "p50": round(_quantile(values, 0.5), 2),
                    "p99": round(_quantile(values, 0.99), 2),
                    "tail_mean": round(sum(r.get(step, 0.0) for r in tail) / len(tail), 2),
                }
                for step, values in steps[name].items()
            },
        }
    return result


def render(phases: dict[str, Any]) -> list[str]:
    """The summary as text lines."""
    lines = ["server-side phases (ms): p50 / p99 / mean in the slowest 1 %"]
    for name, figures in phases.items():
        lines.append(f"  {name} ({figures['requests']} requests)")
        for step, ms in figures["steps_ms"].items():
            lines.append(f"    {step:24} {ms['p50']:9.2f} {ms['p99']:9.2f} {ms['tail_mean']:9.2f}")
    return lines


def loop_lag(folder: Path, since: float) -> dict[str, float]:
    """The server processes' event-loop lag (ms) from ``since`` (``time.time()``): p50, p99
    and the largest of the samples every process wrote (``api/server.py``'s probe)."""
    samples: list[float] = []
    for path in sorted(folder.glob("timing-lag.*")):
        for text in path.read_text(encoding="utf-8").splitlines():
            at, values = json.loads(text)
            if at >= since:
                samples += values
    if not samples:
        return {"samples": 0}
    return {
        "samples": len(samples),
        "p50_ms": _quantile(samples, 0.5),
        "p99_ms": _quantile(samples, 0.99),
        "max_ms": max(samples),
    }
