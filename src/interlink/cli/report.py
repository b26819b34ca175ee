"""``interlink report``: the case report as JSON and self-contained HTML, and the case as VICS."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interlink.cli.context import state
from interlink.cli.output import JsonFlag, console, print_json
from interlink.services.reports import read_report, write_report
from interlink.services.vics_export import export_vics


def report(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="The case to report on.")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Folder for report.json and report.html.")
    ] = None,
    vics: Annotated[
        Path | None, typer.Option("--vics", help="Also write the case as a VICS 2.0 case file.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the report of CASE to a folder (-o), print its JSON (--json), or export the case as
    VICS 2.0 (--vics FILE). Only the acting agency's own cases can be reported."""
    shared = state(ctx)
    if out is None and vics is None and not as_json:
        raise typer.BadParameter("give -o DIR, --vics FILE, --json, or a combination")
    actor, votes, agency = shared.settings.actor, shared.settings.trusted_votes, shared.agency
    if vics is not None:
        exported = export_vics(shared.store, case, vics, agency=agency, actor=actor)
        if not as_json:
            console.print(f"wrote {exported.written} media to {vics} (VICS 2.0)")
    if out is not None:
        written = write_report(
            shared.store, case, out, actor=actor, trusted_votes=votes, agency=agency
        )
        if as_json:
            print_json(written.report)
        else:
            console.print(f"wrote {written.json_path} and {written.html_path}")
    elif as_json:
        print_json(read_report(shared.store, case, actor=actor, trusted_votes=votes, agency=agency))
