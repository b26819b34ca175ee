"""``interlink reports``, ``interlink networks`` and ``interlink referrals``: offender
networks from platform reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.table import Table

from interlink.adapters.maxmind import MaxMindGeoIp
from interlink.adapters.sql.networks import SqlKnownMedia, SqlNetworkRepository
from interlink.cli.context import State, state
from interlink.cli.output import JsonFlag, RichProgress, console, errors, print_json
from interlink.network.pipeline import NetworkBuild
from interlink.network.summaries import NetworkSummary
from interlink.services import networks as service
from interlink.services.report_files import import_report_paths

BuildOption = Annotated[str | None, typer.Option("--build", help="Build id (default: the latest).")]
reports_app = typer.Typer(no_args_is_help=True, help="Platform reports (CyberTipline-style).")
networks_app = typer.Typer(no_args_is_help=True, help="Offender networks.")


def _repository(shared: State) -> SqlNetworkRepository:
    return SqlNetworkRepository(shared.store, shared.settings.actor)


@reports_app.command("import")
def import_reports(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(help="XML or JSON report files, or folders of them."),
    ],
    agency: Annotated[str | None, typer.Option("--agency", help="Agency that sent them.")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case they belong to.")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="xml or json (default: from the content).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import platform reports from files and folders (read recursively); a malformed report or
    a file that is not one is listed and the others are kept. Exits 4 when nothing was read."""
    repository = _repository(state(ctx))
    if fmt not in (None, "xml", "json"):
        raise typer.BadParameter("--format is xml or json")
    chosen: Literal["xml", "json"] | None = "xml" if fmt == "xml" else "json" if fmt else None
    results: list[dict[str, Any]] = []
    for found in import_report_paths(repository, files, fmt=chosen, agency=agency, case=case):
        result = found.result
        results.append(
            {
                "file": found.source,
                "imported": 0 if result is None else result.imported,
                "new": 0 if result is None else result.new,
                "problems": (
                    [{"position": "file", "reason": found.problem, "report_id": None}]
                    if result is None
                    else [
                        {"position": p.position, "reason": p.reason, "report_id": p.report_id}
                        for p in result.problems
                    ]
                ),
            }
        )
        if as_json:
            continue
        if result is None:
            errors.print(f"{found.source}: skipped: {found.problem}")
            continue
        for problem in result.problems:
            errors.print(f"{found.source}: skipped {problem.display()}")
        console.print(f"{found.source}: {result.imported} reports ({result.new} new)")
    if as_json:
        print_json(results)


def _summary_json(summary: NetworkSummary) -> dict[str, Any]:
    from interlink.services.network_access import summary_json

    return summary_json(summary)


@networks_app.command("build")
def build(
    ctx: typer.Context,
    geoip: Annotated[
        Path | None,
        typer.Option("--geoip", help="A MaxMind-format database (.mmdb) to place IP events."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Build networks from every stored report, and store the build."""
    shared = state(ctx)
    lookup = MaxMindGeoIp(geoip) if geoip is not None else None
    with RichProgress("building networks", enabled=not as_json) as progress:
        progress.grow(1)
        result = service.build(
            _repository(shared),
            SqlKnownMedia(shared.store),
            geoip=lookup,
            chats=shared.store.chats.threads(),
        )
        progress.advance()
    networks = result.analysis.networks
    if as_json:
        print_json(
            {
                "build": result.build_id,
                "created_at": result.created_at.isoformat(),
                "reports": result.report_count,
                "networks": [_summary_json(n) for n in networks],
                "removal": _removal_json(result),
            }
        )
        return
    table = Table("Network", "Members", "Media", "Known", "Exchanged", "Countries", "Span")
    for n in networks:
        span = (
            f"{n.first_seen:%Y-%m-%d} - {n.last_seen:%Y-%m-%d}"
            if n.first_seen and n.last_seen
            else ""
        )
        countries = ", ".join(f"{c} {k}" for c, k in n.countries)
        table.add_row(
            n.network_id,
            str(n.size),
            str(n.media),
            str(n.known_media),
            str(n.exchanged_media),
            countries,
            span,
        )
    console.print(table)
    console.print(
        f"build {result.build_id}: {result.report_count} reports, {len(networks)} networks"
    )


def _removal_json(result: NetworkBuild) -> list[dict[str, Any]]:
    plan = result.analysis.removal
    accounts = result.analysis.rankings.accounts
    graph = result.graph
    out = []
    for vertex, removed in zip(plan.vertices, plan.removed_media, strict=True):
        node = int(accounts[vertex])
        out.append({"account": graph.keys[node], "label": graph.label(node), "removed": removed})
    return out


@networks_app.command("show")
def show(
    ctx: typer.Context,
    network: Annotated[str, typer.Argument(help="Network id, e.g. N1.")],
    build_id: Annotated[
        str | None, typer.Option("--build", help="Build id (default: latest).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show one network: its figures and its members, highest network capital first."""
    view = service.show(_repository(state(ctx)), network, build_id)
    members = [
        {
            "account": m.key,
            "label": m.label,
            "country": m.country,
            "country_basis": m.basis,
            "degree": m.degree,
            "betweenness": m.betweenness,
            "pagerank": m.pagerank,
            "capital": m.capital,
            "media": m.media,
            "known_media": m.known_media,
        }
        for m in view.members
    ]
    if as_json:
        print_json({**_summary_json(view.summary), "accounts": members})
        return
    table = Table("Account", "Country", "Basis", "Degree", "PageRank", "Capital", "Media", "Known")
    for m in view.members:
        table.add_row(
            m.label,
            m.country or "?",
            m.basis,
            str(m.degree),
            f"{m.pagerank:.4f}",
            f"{m.capital:.1f}",
            str(m.media),
            str(m.known_media),
        )
    console.print(table)


@networks_app.command("export")
def export(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder to write into.")],
    fmt: Annotated[str, typer.Option("--format", help="graphml or csv.")] = "graphml",
    build_id: Annotated[
        str | None, typer.Option("--build", help="Build id (default: latest).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Export a build's graph as GraphML, or node and edge CSV (Gephi, i2, Maltego)."""
    if fmt not in ("graphml", "csv"):
        raise typer.BadParameter("--format is graphml or csv")
    written = service.export(
        _repository(state(ctx)), directory, "graphml" if fmt == "graphml" else "csv", build_id
    )
    if as_json:
        print_json([str(p) for p in written])
    else:
        for path in written:
            console.print(f"wrote {path}")


def referrals(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder to write the packages into.")],
    countries: Annotated[
        list[str] | None, typer.Option("--country", help="Only this country (repeatable).")
    ] = None,
    build_id: Annotated[
        str | None, typer.Option("--build", help="Build id (default: latest).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write one referral package (JSON and HTML) per country of a build."""
    written = service.referrals(_repository(state(ctx)), directory, countries, build_id)
    if as_json:
        print_json([str(p) for p in written])
    else:
        for path in written:
            console.print(f"wrote {path}")
