"""Referral packages as JSON and as one self-contained HTML page (no scripts, no images).

The page shows identifiers, counts, categories and report ids only; it never embeds media.
(Were a thumbnail ever added, it must be the blurred greyscale ``wellness_view``.)
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from jinja2 import Environment, select_autoescape

from interlink.network.referrals import Referral

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def referral_json(referral: Referral) -> dict[str, Any]:
    """A JSON-ready mapping of the package (``format_version`` first)."""
    data = _plain(asdict(referral))
    return {"format_version": FORMAT_VERSION, **data}


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Referral {{ r.country }} - build {{ r.build_id }}</title>
<style>
body{font-family:sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0;width:100%}
th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}
th{background:#eee}.note{color:#555;font-size:13px}
</style></head><body>
<h1>Referral package: {{ r.country }}</h1>
<p class="note">Build {{ r.build_id }}, {{ r.created_at.isoformat() }}.
{{ r.accounts|length }} accounts, {{ r.networks|length }} networks.
No media is included in this package.</p>
<h2>Accounts</h2>
<table><tr><th>Account</th><th>Name</th><th>Network</th><th>Country basis</th>
<th>Identifiers</th><th>Reports</th><th>Media (known)</th><th>Categories</th>
<th>Capital</th></tr>
{% for a in r.accounts %}<tr><td>{{ a.key }}</td><td>{{ a.label }}</td>
<td>{{ a.network or "" }}</td>
<td>{{ a.basis }}{% if a.basis_evidence %}: {{ a.basis_evidence|join(", ") }}{% endif %}</td>
<td>{% for kind, value in a.identifiers %}{{ kind }}: {{ value }}<br>{% endfor %}</td>
<td>{{ a.reports|join(", ") }}</td><td>{{ a.media }} ({{ a.known_media }})</td>
<td>{% for name, count in a.categories %}{{ name }} x{{ count }}<br>{% endfor %}</td>
<td>{{ "%.2f"|format(a.capital) }}</td></tr>
{% endfor %}</table>
<h2>Networks</h2>
<table><tr><th>Network</th><th>Members (here)</th><th>Countries</th><th>Media</th>
<th>Known / new</th><th>Categories</th><th>First seen</th><th>Last seen</th></tr>
{% for n in r.networks %}<tr><td>{{ n.network_id }}</td><td>{{ n.size }} ({{ n.members_here }})</td>
<td>{% for code, count in n.countries %}{{ code }} x{{ count }}<br>{% endfor %}</td>
<td>{{ n.media }}</td><td>{{ n.known_media }} / {{ n.new_media }}</td>
<td>{% for name, count in n.categories %}{{ name }} x{{ count }}<br>{% endfor %}</td>
<td>{{ n.first_seen.isoformat() if n.first_seen else "" }}</td>
<td>{{ n.last_seen.isoformat() if n.last_seen else "" }}</td></tr>
{% endfor %}</table>
</body></html>
"""
_ENVIRONMENT = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def referral_html(referral: Referral) -> str:
    """The package as one HTML page; every value is escaped."""
    return _ENVIRONMENT.from_string(_TEMPLATE).render(r=referral)
