"""The ``interlink`` command: one Typer app whose commands call the service layer."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from interlink.cli import (
    audit,
    cases,
    chats,
    demo,
    jobs,
    lists,
    networks,
    peers,
    report,
    scan,
    serve,
    users,
    watch,
)
from interlink.cli.context import State
from interlink.cli.exit_codes import exit_code_for
from interlink.cli.output import errors
from interlink.domain.errors import InterlinkError
from interlink.settings import Settings

app = typer.Typer(
    no_args_is_help=True,
    help="Interlink: recognise known material, surface what is new, link cases.",
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("scan")(scan.scan)
app.command("report")(report.report)
app.command("demo")(demo.demo)
app.add_typer(lists.app, name="lists")
app.add_typer(audit.app, name="audit")
app.add_typer(networks.reports_app, name="reports")
app.add_typer(networks.networks_app, name="networks")
app.command("referrals")(networks.referrals)
app.add_typer(cases.app, name="cases")
app.command("links")(cases.links)
app.add_typer(watch.app, name="watch")
app.add_typer(cases.operation_app, name="operation")
app.add_typer(peers.peers_app, name="peers")
app.add_typer(peers.node_app, name="node")
app.add_typer(jobs.app, name="jobs")
app.command("worker")(jobs.worker)
app.add_typer(users.app, name="users")
app.add_typer(users.tokens_app, name="tokens")
app.command("serve")(serve.serve)
app.add_typer(chats.app, name="chats")


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (default: INTERLINK_DB or SQLite).")
    ] = None,
    home: Annotated[
        Path | None, typer.Option("--home", help="Data folder (default: INTERLINK_HOME).")
    ] = None,
    agency: Annotated[
        str | None,
        typer.Option("--agency", help="Acting agency (default: INTERLINK_AGENCY or 'local')."),
    ] = None,
) -> None:
    """Interlink command line. Every command that shows data also takes --json."""
    ctx.obj = State(Settings.load(home=home, database_url=db, agency=agency))
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``interlink`` console script: Interlink's errors, and a file or folder
    named on the command line that cannot be opened as asked, become a one-line message and the
    exit code of their kind; Typer handles usage errors and ``Exit``."""
    try:
        app(args=argv)
    except (InterlinkError, OSError) as exc:
        if not isinstance(exc, InterlinkError) and exc.filename is None:
            raise  # not about a named file: a fault, with its traceback
        message = str(exc) if isinstance(exc, InterlinkError) else _os_message(exc)
        errors.print(
            f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True, markup=True
        )
        sys.exit(exit_code_for(exc))


def _os_message(error: OSError) -> str:
    """``path: reason`` (``path -> other: reason`` for a rename or a link)."""
    names = " -> ".join(str(name) for name in (error.filename, error.filename2) if name)
    return f"{names}: {error.strerror or error}"
