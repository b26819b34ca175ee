"""Rendering pages: one Jinja2 environment over the package's templates (autoescaped), the
pages' own security headers (scripts and styles only from the package), and the helpers
templates use (times, clue badges)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from interlink import __version__
from interlink.domain.principal import Capability, Principal

#: Pages load scripts, styles and images only from this server (nothing from a CDN).
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

_env = Environment(
    loader=PackageLoader("interlink.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _utc(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def time_fields(value: object) -> dict[str, str]:
    """A time as the page shows it: ISO for the script that writes it in the user's time
    zone, and the UTC text shown on hover (and without the script)."""
    found = _utc(value)
    if found is None:
        return {"iso": "", "utc": str(value or "")}
    at = found.astimezone(UTC)
    return {"iso": at.isoformat(), "utc": at.strftime("%Y-%m-%d %H:%M:%S UTC")}


_env.globals["time_fields"] = time_fields
_env.globals["version"] = __version__


def page(
    request: Request,
    template: str,
    *,
    principal: Principal | None = None,
    csrf: str = "",
    twin: str | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` for ``principal``; ``twin`` is the JSON endpoint whose data it
    shows (linked from the page)."""
    held = principal.capabilities if principal is not None else frozenset()
    html = _env.get_template(template).render(
        request=request,
        principal=principal,
        can={c.name.lower(): c in held for c in Capability},
        csrf=csrf,
        twin=twin,
        **context,
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store"},
    )
