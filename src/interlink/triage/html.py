"""The self-contained HTML case report.

Every thumbnail is embedded blurred and greyscale. The clear thumbnail travels in a data
attribute and replaces the blurred one only after an explicit click and confirmation; without
script, nothing but the blurred view can be seen. A report is a file, so the reveal itself
cannot be audited; writing the report is (``services.reports.write_report``), and the web UI
audits each reveal.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from interlink.media.thumbnails import wellness_jpeg

#: Most thumbnails embedded in one HTML report (the JSON report always lists every file).
MAX_THUMBNAILS = 2000


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("interlink.triage", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _data_uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def render_report(
    report: Mapping[str, Any],
    thumbnail: Callable[[str], bytes | None],
    *,
    max_thumbnails: int = MAX_THUMBNAILS,
) -> str:
    """The HTML page of a JSON-ready case report; ``thumbnail`` gives a media's clear
    thumbnail by SHA-256 (or ``None``)."""
    wanted: list[str] = [item["sha256"] for item in report["review_queue"]]
    wanted += [s["sha256"] for item in report["review_queue"] for s in item["stack"]]
    wanted += [m["sha256"] for group in report["known_by_series"] for m in group["media"]]
    wanted += [item["sha256"] for item in report.get("edited", ())]
    thumbs: dict[str, dict[str, str]] = {}
    for sha in dict.fromkeys(wanted):
        if len(thumbs) >= max_thumbnails:
            break
        clear = thumbnail(sha)
        if clear is not None:
            thumbs[sha] = {"blurred": _data_uri(wellness_jpeg(clear)), "clear": _data_uri(clear)}
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        thumbs=thumbs,
        omitted=max(0, len(dict.fromkeys(wanted)) - len(thumbs)),
    )
