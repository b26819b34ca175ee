"""``interlink lists``: import and show known-material lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from interlink.cli.context import state
from interlink.cli.output import JsonFlag, console, errors, print_json
from interlink.services.lists import import_list, show_lists

app = typer.Typer(no_args_is_help=True, help="Known-material lists.")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The list file.", exists=True, dir_okay=False)],
    name: Annotated[
        str | None, typer.Option("--name", help="List name (default: file stem).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="auto or a format name.")] = "auto",
    version: Annotated[str, typer.Option("--version", help="The list's version label.")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Import FILE into a named list (replacing the list's entries if it exists)."""
    shared = state(ctx)
    result = import_list(
        shared.store, file, name=name, fmt=fmt, version=version, actor=shared.settings.actor
    )
    if as_json:
        print_json(
            {
                "list": result.list_name,
                "format": result.format,
                "entries": result.entries,
                "replaced": result.replaced,
                "errors": result.error_count,
                "error_details": [
                    {"position": e.position, "reason": e.reason} for e in result.errors
                ],
            }
        )
        return
    for error in result.errors[:20]:
        errors.print(f"[yellow]skipped[/yellow] {escape(str(error))}", highlight=False, markup=True)
    if result.error_count > 20:
        errors.print(f"... and {result.error_count - 20} more bad records")
    console.print(
        f"list {result.list_name!r}: {result.entries} entries imported ({result.format})"
        + (f", {result.error_count} bad records skipped" if result.error_count else "")
    )


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Only this list.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show the lists (or one list) with their entry counts."""
    shared = state(ctx)
    lists = [s for s in show_lists(shared.store) if name is None or s.list.name == name]
    if name is not None and not lists:
        shared.store.lists.get(name)  # raises NotFoundError with a clear message
    if as_json:
        print_json(
            [
                {
                    "name": s.list.name,
                    "source": s.list.source,
                    "version": s.list.version,
                    "imported_at": s.list.imported_at.isoformat() if s.list.imported_at else None,
                    "enabled": s.list.enabled,
                    "entries": s.entries,
                    "pdq_threshold": s.pdq_threshold,
                }
                for s in lists
            ]
        )
        return
    table = Table("List", "Entries", "Version", "Enabled", "PDQ threshold", "Source")
    for s in lists:
        table.add_row(
            s.list.name,
            str(s.entries),
            s.list.version,
            "yes" if s.list.enabled else "no",
            str(s.pdq_threshold),
            s.list.source,
        )
    console.print(table)
