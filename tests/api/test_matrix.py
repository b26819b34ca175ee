"""The authorisation matrix, generated from the router table: every route x every role x
the caller's own agency and another agency's records, anonymous, and a revoked token.

Each route declares its rule (``x-interlink-rule``); a route without one, or without a sample
request below, fails here. The services enforce the rules; this checks they match."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from interlink.adapters.jobs_local import LocalQueue
from interlink.api.rules import Rule, rule_of
from interlink.domain.cases import Identifier, IdentifierKind
from interlink.domain.principal import ROLE_CAPABILITIES, Role
from interlink.linking.deconfliction import TriggerKind
from interlink.services import (
    authentication,
    casefile,
    casework_access,
    jobs,
    watch_access,
    watches,
)
from interlink.services.cases import acting_agency
from interlink.web.app import PAGE_ROUTERS
from tests.api.node import CASES, KNOWN_MD5, KNOWN_PDQ, OPERATIONS, Node, build_node, operator

#: A sample request for a route: (node, agency whose records it names, calling user's name)
#: -> (url path, JSON body or None).
Sample = Callable[[Node, str, str], tuple[str, Any]]


def _job(node: Node, agency: str, *, fresh: bool = False) -> str:
    """A queued scan job of ``agency`` (a new one each call with ``fresh``)."""
    made: dict[str, str] = node.__dict__.setdefault("_jobs", {})
    if fresh or agency not in made:
        roots = node.app.state.interlink.settings.evidence_roots
        job = jobs.submit_scan(
            node.store,
            LocalQueue(node.store),
            agency_id=acting_agency(node.store, agency, actor="operator").id,
            actor="operator",
            path=str(roots[0] / "exhibit"),
            case=CASES[agency],
            roots=roots,
        )
        made[agency] = str(job.id)
    return made[agency]


def _fresh_token(node: Node, agency: str, caller: str) -> tuple[str, Any]:
    owner = caller if caller.startswith(agency) else f"{agency}-viewer"
    token, _ = authentication.create_token(node.store, operator(node.store), user=owner)
    return f"/api/v1/tokens/{token.id}", None


REPORTS = json.dumps(
    {"reports": [{"reportId": "r1", "personOrUserReported": {"espIdentifier": "acct-1"}}]}
).encode()


def _upload(node: Node, agency: str, caller: str) -> tuple[str, Any]:
    return "/api/v1/lists", Upload(
        {"name": "uploaded", "format": "csv"},
        {"file": ("up.csv", f"md5\n{'0' * 31}1\n".encode(), "text/csv")},
    )


def _fresh_watch(node: Node, agency: str, caller: str) -> tuple[str, Any]:
    placed = watch_access.place(
        node.store,
        operator(node.store, agency),
        [watches.TriggerSpec(TriggerKind.MD5, f"{uuid.uuid4().int:032x}"[:32])],
        title="matrix",
    )
    return f"/api/v1/watches/{placed['id']}/withdraw", None


def _linked(node: Node, agency: str, caller: str) -> tuple[str, Any]:
    shared = Identifier(IdentifierKind.EMAIL, "matrix-link@example.org")
    for owner in CASES:
        casefile.add_identifier(node.store, operator(node.store, owner), CASES[owner], shared)
    other = next(a for a in CASES if a != agency)
    return f"/api/v1/cases/{CASES[agency]}/links/{CASES[other]}", None


def _fresh_victim(node: Node, agency: str, caller: str) -> tuple[str, Any]:
    name = f"V-{uuid.uuid4().hex[:8]}"
    casework_access.add_victim(node.store, operator(node.store, agency), name)
    return f"/api/v1/victims/{name}/status", {"status": "identified"}


def _clues(kind: str) -> Sample:
    """A sample of one kind of a case's clues (a case of the caller's agency)."""
    return lambda node, agency, caller: (f"/api/v1/cases/{CASES[agency]}/clues/{kind}", None)


def _fixed(url: str) -> Sample:
    """A sample that is the same URL for every caller."""
    return lambda node, agency, caller: (url, None)


SAMPLES: dict[tuple[str, str], Sample] = {
    ("GET", "/healthz"): lambda n, a, c: ("/healthz", None),
    ("GET", "/readyz"): lambda n, a, c: ("/readyz", None),
    ("POST", "/api/v1/auth/login"): lambda n, a, c: (
        "/api/v1/auth/login",
        {"name": f"{a}-viewer", "password": "not the password"},
    ),
    ("POST", "/api/v1/auth/logout"): lambda n, a, c: ("/api/v1/auth/logout", None),
    ("GET", "/api/v1/auth/me"): lambda n, a, c: ("/api/v1/auth/me", None),
    ("GET", "/api/v1/auth/oidc/{agency}/login"): lambda n, a, c: (
        f"/api/v1/auth/oidc/{a}/login",
        None,
    ),
    ("GET", "/api/v1/auth/oidc/callback"): lambda n, a, c: (
        "/api/v1/auth/oidc/callback?state=forged&code=forged",
        None,
    ),
    ("PUT", "/api/v1/agencies/{agency}/identity-provider"): lambda n, a, c: (
        f"/api/v1/agencies/{a}/identity-provider",
        {"issuer": "https://idp.example.org", "client_id": "node"},
    ),
    ("GET", "/api/v1/users"): lambda n, a, c: ("/api/v1/users", None),
    ("POST", "/api/v1/users"): lambda n, a, c: (
        "/api/v1/users",
        {"name": f"new-{uuid.uuid4().hex[:8]}", "agency": a, "roles": ["viewer"]},
    ),
    ("POST", "/api/v1/users/{name}/disable"): lambda n, a, c: (
        f"/api/v1/users/{a}-target/disable",
        None,
    ),
    ("POST", "/api/v1/users/{name}/reset"): lambda n, a, c: (
        f"/api/v1/users/{a}-target/reset",
        {},
    ),
    ("GET", "/api/v1/tokens"): lambda n, a, c: ("/api/v1/tokens", None),
    ("POST", "/api/v1/tokens"): lambda n, a, c: ("/api/v1/tokens", {"label": "matrix"}),
    ("DELETE", "/api/v1/tokens/{token_id}"): _fresh_token,
    ("GET", "/api/v1/figures"): lambda n, a, c: ("/api/v1/figures", None),
    ("GET", "/api/v1/cases"): lambda n, a, c: ("/api/v1/cases", None),
    ("POST", "/api/v1/cases"): lambda n, a, c: (
        "/api/v1/cases",
        {"name": f"C-{uuid.uuid4().hex[:8]}"},
    ),
    ("GET", "/api/v1/cases/{case}"): lambda n, a, c: (f"/api/v1/cases/{CASES[a]}", None),
    ("PUT", "/api/v1/cases/{case}/status"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/status",
        {"status": "open"},
    ),
    ("POST", "/api/v1/cases/{case}/identifiers"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/identifiers",
        {"kind": "email", "value": "someone@example.org"},
    ),
    ("GET", "/api/v1/cases/{case}/links"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/links",
        None,
    ),
    ("GET", "/api/v1/cases/{case}/report"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/report",
        None,
    ),
    ("GET", "/api/v1/cases/{case}/report.html"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/report.html",
        None,
    ),
    ("GET", "/api/v1/watches"): lambda n, a, c: ("/api/v1/watches", None),
    ("GET", "/api/v1/watches/hits"): lambda n, a, c: ("/api/v1/watches/hits", None),
    ("GET", "/api/v1/operations/{name}"): lambda n, a, c: (
        f"/api/v1/operations/{OPERATIONS[a]}",
        None,
    ),
    ("POST", "/api/v1/lookups"): lambda n, a, c: (
        "/api/v1/lookups",
        {"queries": [{"type": "pdq", "value": KNOWN_PDQ[0]}]},
    ),
    ("GET", "/api/v1/lookups/{type}/{value}"): lambda n, a, c: (
        f"/api/v1/lookups/pdq/{KNOWN_PDQ[1]}",
        None,
    ),
    ("GET", "/api/v1/lists"): lambda n, a, c: ("/api/v1/lists", None),
    ("POST", "/api/v1/lists"): _upload,
    ("GET", "/api/v1/lists/votes"): lambda n, a, c: ("/api/v1/lists/votes", None),
    ("GET", "/api/v1/lists/{name}"): lambda n, a, c: ("/api/v1/lists/known", None),
    ("POST", "/api/v1/lists/{name}/enable"): lambda n, a, c: ("/api/v1/lists/known/enable", None),
    ("POST", "/api/v1/lists/{name}/disable"): lambda n, a, c: ("/api/v1/lists/spare/disable", None),
    ("GET", "/api/v1/lists/{name}/diff/{other}"): lambda n, a, c: (
        "/api/v1/lists/known/diff/spare",
        None,
    ),
    ("GET", "/api/v1/lists/{name}/export"): lambda n, a, c: ("/api/v1/lists/known/export", None),
    ("GET", "/api/v1/lists/{name}/versions"): lambda n, a, c: (
        "/api/v1/lists/known/versions",
        None,
    ),
    ("GET", "/api/v1/lists/{name}/changes"): lambda n, a, c: ("/api/v1/lists/known/changes", None),
    ("GET", "/api/v1/cases/{case}/media"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/media",
        None,
    ),
    ("GET", "/api/v1/cases/{case}/media/{sha256}/thumbnail"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/media/{n.media[a]}/thumbnail",
        None,
    ),
    ("POST", "/api/v1/cases/{case}/media/{sha256}/reveal"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/media/{n.media[a]}/reveal",
        {"reason": "identify the room"},
    ),
    ("POST", "/api/v1/platform-reports"): lambda n, a, c: (
        "/api/v1/platform-reports",
        Upload({"format": "json"}, {"file": ("r.json", REPORTS, "application/json")}),
    ),
    ("POST", "/api/v1/networks/builds"): lambda n, a, c: ("/api/v1/networks/builds", None),
    ("GET", "/api/v1/networks/builds/latest"): lambda n, a, c: (
        "/api/v1/networks/builds/latest",
        None,
    ),
    ("GET", "/api/v1/exposure"): lambda n, a, c: ("/api/v1/exposure", None),
    ("GET", "/api/v1/audit"): lambda n, a, c: ("/api/v1/audit", None),
    # Web pages.
    ("GET", "/"): lambda n, a, c: ("/", None),
    ("GET", "/login"): lambda n, a, c: ("/login", None),
    ("POST", "/login"): lambda n, a, c: (
        "/login",
        Form({"name": f"{a}-viewer", "password": "not the password"}),
    ),
    ("GET", "/cases"): lambda n, a, c: ("/cases?sort=-exhibits&q=case", None),
    ("GET", "/cases/{case}"): lambda n, a, c: (f"/cases/{CASES[a]}", None),
    ("GET", "/dashboard"): lambda n, a, c: ("/dashboard", None),
    ("GET", "/audit"): lambda n, a, c: ("/audit", None),
    ("GET", "/cases/{case}/review"): lambda n, a, c: (f"/cases/{CASES[a]}/review", None),
    ("GET", "/cases/{case}/media/{sha256}"): lambda n, a, c: (
        f"/cases/{CASES[a]}/media/{n.media[a]}",
        None,
    ),
    ("GET", "/api/v1/audit/verify"): lambda n, a, c: ("/api/v1/audit/verify", None),
    # Grading, watches, linked cases, series and victims.
    ("GET", "/api/v1/cases/{case}/media/{sha256}/votes"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/media/{n.media[a]}/votes",
        None,
    ),
    ("POST", "/api/v1/cases/{case}/media/{sha256}/votes"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/media/{n.media[a]}/votes",
        {"category": "uk:C"},
    ),
    ("DELETE", "/api/v1/cases/{case}/media/{sha256}/votes/{scheme}"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/media/{n.media[a]}/votes/uk",
        None,
    ),
    ("GET", "/api/v1/lists/votes/{signal}/{value}"): lambda n, a, c: (
        f"/api/v1/lists/votes/md5/{KNOWN_MD5}",
        None,
    ),
    ("POST", "/api/v1/lists/votes/{signal}/{value}"): lambda n, a, c: (
        f"/api/v1/lists/votes/md5/{KNOWN_MD5}",
        {"category": "uk:B"},
    ),
    ("DELETE", "/api/v1/lists/votes/{signal}/{value}/{scheme}"): lambda n, a, c: (
        f"/api/v1/lists/votes/md5/{KNOWN_MD5}/uk",
        None,
    ),
    ("POST", "/api/v1/watches"): lambda n, a, c: (
        "/api/v1/watches",
        {"title": "matrix", "triggers": [{"kind": "md5", "value": "1" * 32}]},
    ),
    ("POST", "/api/v1/watches/{watch_id}/withdraw"): _fresh_watch,
    ("GET", "/api/v1/cases/{case}/links/{other}"): _linked,
    ("GET", "/api/v1/series"): lambda n, a, c: ("/api/v1/series", None),
    ("GET", "/api/v1/victims"): lambda n, a, c: ("/api/v1/victims", None),
    ("POST", "/api/v1/victims"): lambda n, a, c: (
        "/api/v1/victims",
        {"pseudonym": f"V-{uuid.uuid4().hex[:8]}"},
    ),
    ("PUT", "/api/v1/victims/{pseudonym}/status"): _fresh_victim,
    ("GET", "/cases/{case}/links"): lambda n, a, c: (
        f"/cases/{CASES[a]}/links?sort=-strength",
        None,
    ),
    ("GET", "/cases/{case}/links/{other}"): lambda n, a, c: (_linked(n, a, c)[0][7:], None),
    ("GET", "/watches"): lambda n, a, c: ("/watches?sort=title&q=a", None),
    ("GET", "/watches/hits"): lambda n, a, c: ("/watches/hits?sort=priority", None),
    ("GET", "/cases/{case}/hits"): lambda n, a, c: (f"/cases/{CASES[a]}/hits?sort=-title", None),
    ("GET", "/series"): lambda n, a, c: ("/series", None),
    ("GET", "/victims"): lambda n, a, c: ("/victims?sort=-status", None),
    ("GET", "/lists"): lambda n, a, c: ("/lists?sort=-entries", None),
    ("GET", "/lists/conflicts"): lambda n, a, c: ("/lists/conflicts", None),
    ("GET", "/lists/{name}"): lambda n, a, c: ("/lists/known", None),
    ("GET", "/lists/{name}/diff/{other}"): lambda n, a, c: ("/lists/known/diff/spare", None),
    ("GET", "/lists/{name}/changes"): lambda n, a, c: ("/lists/known/changes?sort=-item", None),
    ("GET", "/lists/{name}/versions"): lambda n, a, c: ("/lists/known/versions?sort=-added", None),
    # Scans as jobs, exhibits, media items, the review queue and clues.
    ("POST", "/api/v1/cases/{case}/scans"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/scans",
        {"path": str(n.app.state.interlink.settings.evidence_roots[0] / "exhibit")},
    ),
    ("GET", "/api/v1/jobs"): lambda n, a, c: ("/api/v1/jobs?state=queued", None),
    ("GET", "/api/v1/jobs/{job_id}"): lambda n, a, c: (f"/api/v1/jobs/{_job(n, a)}", None),
    ("POST", "/api/v1/jobs/{job_id}/cancel"): lambda n, a, c: (
        f"/api/v1/jobs/{_job(n, a, fresh=True)}/cancel",
        None,
    ),
    ("GET", "/api/v1/cases/{case}/exhibits"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/exhibits",
        None,
    ),
    ("GET", "/api/v1/cases/{case}/media/{sha256}"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/media/{n.media[a]}",
        None,
    ),
    ("PUT", "/api/v1/cases/{case}/media/{sha256}/review"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/media/{n.media[a]}/review",
        {"reviewed": True},
    ),
    ("GET", "/api/v1/cases/{case}/review"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/review?state=new",
        None,
    ),
    ("GET", "/api/v1/cases/{case}/clues"): lambda n, a, c: (
        f"/api/v1/cases/{CASES[a]}/clues",
        None,
    ),
    **{
        ("GET", f"/api/v1/cases/{{case}}/clues/{kind}"): _clues(kind)
        for kind in ("cameras", "places", "timeline", "captures")
    },
    ("GET", "/cases/{case}/clues"): lambda n, a, c: (f"/cases/{CASES[a]}/clues", None),
    ("GET", "/cases/{case}/clues/places"): lambda n, a, c: (
        f"/cases/{CASES[a]}/clues/places?sort=latitude",
        None,
    ),
    ("GET", "/jobs"): lambda n, a, c: ("/jobs?sort=-state&q=queued", None),
    # Networks, referrals, operations, the reveal budget, audit checkpoints (and their pages).
    ("GET", "/api/v1/networks/builds/latest/networks/{network}"): lambda n, a, c: (
        "/api/v1/networks/builds/latest/networks/N1",
        None,
    ),
    ("GET", "/api/v1/networks/builds/latest/networks"): lambda n, a, c: (
        "/api/v1/networks/builds/latest/networks",
        None,
    ),
    ("GET", "/api/v1/networks/builds/latest/graphml"): lambda n, a, c: (
        "/api/v1/networks/builds/latest/graphml",
        None,
    ),
    ("GET", "/api/v1/referrals"): lambda n, a, c: ("/api/v1/referrals", None),
    ("GET", "/api/v1/referrals/{country}"): lambda n, a, c: ("/api/v1/referrals/DE", None),
    **{
        ("GET", f"/api/v1/referrals/{{country}}/{part}"): _fixed(f"/api/v1/referrals/DE/{part}")
        for part in ("networks", "accounts")
    },
    ("GET", "/api/v1/referrals/{country}/html"): lambda n, a, c: (
        "/api/v1/referrals/DE/html",
        None,
    ),
    ("GET", "/api/v1/operations"): lambda n, a, c: ("/api/v1/operations", None),
    ("POST", "/api/v1/operations"): lambda n, a, c: (
        "/api/v1/operations",
        {"name": f"OP-{uuid.uuid4().hex[:8]}"},
    ),
    ("POST", "/api/v1/operations/{name}/cases"): lambda n, a, c: (
        f"/api/v1/operations/{OPERATIONS[a]}/cases",
        {"case": CASES[a]},
    ),
    ("GET", "/api/v1/operations/{name}/dashboard"): lambda n, a, c: (
        f"/api/v1/operations/{OPERATIONS[a]}/dashboard",
        None,
    ),
    ("POST", "/api/v1/operations/{name}/partners"): lambda n, a, c: (
        f"/api/v1/operations/{OPERATIONS[a]}/partners",
        {"peer": "no-such-peer", "reference": "EU-TANGO"},
    ),
    ("DELETE", "/api/v1/operations/{name}/partners/{peer}"): lambda n, a, c: (
        f"/api/v1/operations/{OPERATIONS[a]}/partners/no-such-peer",
        None,
    ),
    ("GET", "/api/v1/exposure/budget"): lambda n, a, c: ("/api/v1/exposure/budget", None),
    ("PUT", "/api/v1/exposure/budget"): lambda n, a, c: ("/api/v1/exposure/budget", {"budget": 50}),
    ("POST", "/api/v1/audit/checkpoints"): lambda n, a, c: ("/api/v1/audit/checkpoints", None),
    ("GET", "/api/v1/audit/checkpoints"): lambda n, a, c: ("/api/v1/audit/checkpoints", None),
    ("GET", "/networks"): lambda n, a, c: ("/networks?sort=-members&q=N", None),
    ("GET", "/networks/{network}"): lambda n, a, c: ("/networks/N1?sort=-degree", None),
    ("GET", "/referrals"): lambda n, a, c: ("/referrals?sort=-accounts", None),
    ("GET", "/referrals/{country}"): lambda n, a, c: ("/referrals/DE", None),
    ("GET", "/referrals/{country}/networks"): lambda n, a, c: (
        "/referrals/DE/networks?sort=-size",
        None,
    ),
    ("GET", "/operations"): lambda n, a, c: ("/operations?sort=-cases", None),
    ("GET", "/operations/{name}"): lambda n, a, c: (f"/operations/{OPERATIONS[a]}", None),
    ("GET", "/users"): lambda n, a, c: ("/users?sort=-created_at&q=a", None),
    ("GET", "/tokens"): lambda n, a, c: ("/tokens", None),
    ("GET", "/agency"): lambda n, a, c: ("/agency", None),
    ("GET", "/login/oidc/callback"): lambda n, a, c: (
        "/login/oidc/callback?state=forged&code=forged",
        None,
    ),
    ("GET", "/login/oidc/{agency}"): lambda n, a, c: (f"/login/oidc/{a}", None),
    ("POST", "/api/v1/auth/step-up"): lambda n, a, c: ("/api/v1/auth/step-up", {"code": "000000"}),
    # Node to node (a pinned peer's signed request; see the peer test below).
    ("POST", "/federation/v1/hello"): lambda n, a, c: ("/federation/v1/hello", {}),
    ("GET", "/federation/v1/lists"): lambda n, a, c: ("/federation/v1/lists", None),
    ("POST", "/federation/v1/batch"): lambda n, a, c: (
        "/federation/v1/batch",
        {"list": "known", "since": 0, "limit": 10},
    ),
    ("POST", "/federation/v1/overlap/open"): lambda n, a, c: (
        "/federation/v1/overlap/open",
        {"items": 1},
    ),
    ("POST", "/federation/v1/overlap/query"): lambda n, a, c: ("/federation/v1/overlap/query", {}),
    ("POST", "/federation/v1/overlap/reveal"): lambda n, a, c: (
        "/federation/v1/overlap/reveal",
        {},
    ),
    ("GET", "/federation/v1/watches"): lambda n, a, c: ("/federation/v1/watches", None),
    ("POST", "/federation/v1/hits"): lambda n, a, c: ("/federation/v1/hits", {}),
    ("POST", "/federation/v1/operations/figures"): lambda n, a, c: (
        "/federation/v1/operations/figures",
        {"reference": "EU-TANGO"},
    ),
}


def routes(node: Node) -> Iterator[tuple[str, str, Rule | None]]:
    """Every (method, path, declared rule) of the application, from the router table as the
    OpenAPI document publishes it."""
    node.app.openapi_schema = None
    for path, operations in node.app.openapi()["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, rule_of(operation)
    # The web pages (left out of the OpenAPI document) declare their rules the same way.
    for router in PAGE_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods or ()):
                yield method, route.path, rule_of(route.openapi_extra)


@dataclass(frozen=True)
class Form:
    """A form-encoded request body (as a browser posts it)."""

    data: dict[str, str]


@dataclass(frozen=True)
class Upload:
    """A multipart request body."""

    data: dict[str, str]
    files: dict[str, tuple[str, bytes, str]]


def _call(node: Node, token: str | None, method: str, url: str, body: Any) -> int:
    clients = node.__dict__.setdefault("_clients", {})
    if token not in clients:
        clients[token] = node.client(token)
    if isinstance(body, Upload):
        response = clients[token].request(method, url, data=body.data, files=body.files)
    elif isinstance(body, Form):
        response = clients[token].request(method, url, data=body.data, follow_redirects=False)
    else:
        response = clients[token].request(method, url, json=body)
    return int(response.status_code)


def check_matrix(node: Node, roles: tuple[Role | None, ...] = (None, *Role)) -> list[str]:
    """Every cell of the matrix (for ``roles``; ``None``: anonymous and a revoked token)
    that does not behave as its route declares."""
    wrong: list[str] = []
    for method, path, rule in routes(node):
        where = f"{method} {path}"
        sample = SAMPLES.get((method, path))
        if rule is None or sample is None:
            wrong.append(f"{where}: no declared rule or no sample request")
            continue
        for role in roles:
            if role is None:
                wrong += _unauthenticated(node, method, where, rule, sample)
            elif not rule.public:
                wrong += _as_role(node, method, where, rule, sample, role)
    return wrong


def _unauthenticated(node: Node, method: str, where: str, rule: Rule, sample: Sample) -> list[str]:
    url, body = sample(node, "alpha", "alpha-viewer")
    wrong = []
    for label, token in (("anonymous", None), ("revoked token", node.revoked)):
        status = _call(node, token, method, url, body)
        if rule.public and (status == 403 or status >= 500):
            wrong.append(f"{where} {label}: public route answered {status}")
        if not rule.public and status != 401:
            wrong.append(f"{where} {label}: expected 401, got {status}")
    return wrong


def _as_role(
    node: Node, method: str, where: str, rule: Rule, sample: Sample, role: Role
) -> list[str]:
    held = ROLE_CAPABILITIES[role]
    # The matrix calls with tokens, which carry no second factor.
    allowed = rule.allows(held) and not rule.second_factor
    across = allowed and bool(set(rule.reach) & held)
    wrong = []
    # Another agency's records only matter where the route names one.
    for target in ("alpha", "beta") if rule.scoped else ("alpha",):
        url, body = sample(node, target, f"alpha-{role.value}")
        status = _call(node, node.tokens[("alpha", role)], method, url, body)
        cell = f"{where} as {role.value} on {target}'s: {status}"
        if not allowed:
            # A user is not a peer: a node-to-node route refuses the missing signature.
            if status not in ((401, 403) if rule.peer else (403,)):
                wrong.append(f"{cell}, expected 403")
        elif target == "alpha" or across:
            if status in (401, 403) or status >= 500:
                wrong.append(f"{cell}, expected it allowed")
            elif method == "GET" and not 200 <= status < 300:
                wrong.append(f"{cell}, expected 2xx")
        elif status not in (403, 404):
            wrong.append(f"{cell}, expected 403 or 404 (another agency's record)")
    return wrong


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("matrix")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


@pytest.mark.parametrize("role", [None, *Role], ids=["unauthenticated", *(r.value for r in Role)])
def test_every_route_declares_a_rule_and_behaves_as_declared(node: Node, role: Role | None) -> None:
    wrong = check_matrix(node, (role,))
    assert not wrong, "\n".join(wrong)


def test_a_route_without_a_rule_fails_the_matrix(node: Node) -> None:
    @node.app.get("/api/v1/undeclared")
    def undeclared() -> dict[str, str]:
        return {}

    try:
        assert any("/api/v1/undeclared" in w for w in check_matrix(node, ()))
    finally:
        node.app.router.routes.pop()
        node.app.openapi_schema = None


def test_the_matrix_covers_every_route(node: Node) -> None:
    declared = {(m, p) for m, p, _ in routes(node)}
    assert declared == set(SAMPLES)


def _peer_call(node: Node, identity: Any, method: str, url: str, body: Any) -> Any:
    from interlink.federation.signing import canonical, sign_request
    from interlink.services.peers import local_node

    settings = node.app.state.interlink.settings
    server = local_node(settings.home, settings.agency, settings.agency)
    data = b"" if body is None else canonical(body)
    signed = sign_request(identity, method, url, data, recipient=server.fingerprint)
    client = node.__dict__.setdefault("_peer_client", node.client())
    return client.request(method, url, content=data, headers=signed.headers())


def test_node_to_node_routes_answer_a_pinned_peer_only(
    node: Node, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from interlink.federation.identity import load_or_create_identity
    from interlink.services.peers import add_peer, remove_peer

    home = tmp_path_factory.mktemp("peer")
    pinned = load_or_create_identity(home / "pinned", "pinned")
    stranger = load_or_create_identity(home / "stranger", "stranger")
    add_peer(
        node.store,
        "https://pinned.example",
        pinned.fingerprint,
        'format = "interlink-federation-policy/1"\n',
        name="pinned",
        actor="matrix",
    )
    try:
        wrong = []
        for method, path, rule in routes(node):
            if rule is None or not rule.peer:
                continue
            url, body = SAMPLES[(method, path)](node, "alpha", "peer")
            status = _peer_call(node, pinned, method, url, body).status_code
            # Authenticated: the answer is the policy's (a refusal is 403), never 401.
            if status == 401 or status >= 500:
                wrong.append(f"{method} {path} as a pinned peer: {status}")
            status = _peer_call(node, stranger, method, url, body).status_code
            if status != 401:
                wrong.append(f"{method} {path} as an unpinned node: {status}, expected 401")
        assert not wrong, "\n".join(wrong)
    finally:
        remove_peer(node.store, "pinned", actor="matrix")
