"""``interlink audit``: read and verify the tamper-evident audit log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from interlink.cli.context import state
from interlink.cli.exit_codes import ExitCode
from interlink.cli.output import JsonFlag, console, print_json

app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit log.")


@app.command("verify")
def verify(
    ctx: typer.Context,
    as_json: JsonFlag = False,
) -> None:
    """Recompute the audit chain; exit 9 if any record was changed, inserted or removed."""
    check = state(ctx).store.audit.verify()
    if as_json:
        print_json(
            {
                "ok": check.ok,
                "records": check.records,
                "first_bad_id": check.first_bad_id,
                "reason": check.reason,
            }
        )
    elif check.ok:
        console.print(f"audit chain intact: {check.records} records")
    else:
        console.print(
            f"[red]audit chain broken[/red] at record {check.first_bad_id}: {check.reason}",
            markup=True,
        )
    if not check.ok:
        raise typer.Exit(ExitCode.DAMAGED)


@app.command("log")
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="How many of the newest records.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Show the newest audit records."""
    records = state(ctx).store.audit.records()[-limit:]
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "at": r.at.isoformat(),
                    "actor": r.actor,
                    "action": r.action,
                    "object_type": r.object_type,
                    "object_id": r.object_id,
                    "before": r.before,
                    "after": r.after,
                    "hash": r.hash,
                }
                for r in records
            ]
        )
        return
    table = Table("Id", "At", "Actor", "Action", "Object")
    for r in records:
        table.add_row(
            str(r.id),
            r.at.isoformat(timespec="seconds"),
            r.actor,
            r.action,
            f"{r.object_type} {r.object_id}",
        )
    console.print(table)
