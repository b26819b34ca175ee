"""``interlink report``: the case report as JSON and self-contained HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interlink.cli.context import state
from interlink.cli.output import JsonFlag, console, print_json
from interlink.services.reports import case_report, write_report


def report(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="The case to report on.")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Folder for report.json and report.html.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the report of CASE to a folder (-o), or print its JSON (--json)."""
    shared = state(ctx)
    if out is None and not as_json:
        raise typer.BadParameter("give -o DIR, --json, or both")
    if out is not None:
        written = write_report(shared.store, case, out, actor=shared.settings.actor)
        if as_json:
            print_json(written.report)
        else:
            console.print(f"wrote {written.json_path} and {written.html_path}")
        return
    print_json(case_report(shared.store, case))
