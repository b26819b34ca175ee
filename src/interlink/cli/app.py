"""The ``interlink`` command: one Typer app whose commands call the service layer.

Commands are registered lazily, one line each in ``COMMANDS``: the name, where the command is
defined (``"module:attribute"``, a command function or a ``typer.Typer`` sub-app) and the
one-line help ``interlink --help`` shows. A command's module is imported only when that command
runs, so ``--help`` and light commands do not pay for SQLAlchemy, NumPy or numba. To add one:

    LazyCommand("serve", "interlink.cli.serve:serve", "Serve the API and web pages."),

The help must be the first paragraph of the command's own help (its docstring, or the sub-app's
``help=``); ``tests/cli/test_app.py`` checks every line against the real command, and checks
which heavy modules ``--help`` imports. Import heavy libraries inside command functions, not at
the top of a ``cli`` module: its import is the start-up time of its command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from interlink.cli import params, rich_help
from interlink.cli.lazy import LazyCommand, lazy_group

params.install()  # parameters converted without pydantic where it changes nothing
rich_help.install()  # help and error panels without the Markdown and traceback renderers

# fmt: off
COMMANDS = (
    LazyCommand("scan", "interlink.cli.scan:scan", "Scan EXHIBIT into CASE: hash every file, match the known lists, record it all."),  # noqa: E501
    LazyCommand("report", "interlink.cli.report:report", "Write the report of CASE to a folder (-o), print its JSON (--json), or export the case as VICS 2.0 (--vics FILE). Only the acting agency's own cases can be reported."),  # noqa: E501
    LazyCommand("demo", "interlink.cli.demo:demo", "Generate benign synthetic evidence (images, transformed copies of images a generated list marks known, a nested archive, broken files), scan it and write its report."),  # noqa: E501
    LazyCommand("lists", "interlink.cli.lists:app", "Known-material lists."),
    LazyCommand("audit", "interlink.cli.audit:app", "The tamper-evident audit log."),
    LazyCommand("reports", "interlink.cli.networks:reports_app", "Platform reports (CyberTipline-style)."),  # noqa: E501
    LazyCommand("networks", "interlink.cli.networks:networks_app", "Offender networks."),
    LazyCommand("referrals", "interlink.cli.networks:referrals", "Write one referral package (JSON and HTML) per country of a build."),  # noqa: E501
    LazyCommand("cases", "interlink.cli.cases:app", "The acting agency's cases: list them, record identifiers, victims and suspects."),  # noqa: E501
    LazyCommand("links", "interlink.cli.cases:links", "Show what links CASE with other cases, the series it shows and its watch hits."),  # noqa: E501
    LazyCommand("watch", "interlink.cli.watch:app", "Deconfliction watches and their hits."),
    LazyCommand("operation", "interlink.cli.cases:operation_app", "Operations: cases across agencies."),  # noqa: E501
    LazyCommand("peers", "interlink.cli.peers:peers_app", "Peer nodes and the policy each is held to."),  # noqa: E501
    LazyCommand("node", "interlink.cli.peers:node_app", "This node's identity."),
    LazyCommand("jobs", "interlink.cli.jobs:app", "Background jobs: scans of server-side evidence."),  # noqa: E501
    LazyCommand("worker", "interlink.cli.jobs:worker", "Run queued jobs: the one worker of an SQLite store, or one of many on PostgreSQL."),  # noqa: E501
    LazyCommand("users", "interlink.cli.users:app", "Users of a server node: add, list, disable, reset."),  # noqa: E501
    LazyCommand("tokens", "interlink.cli.users:tokens_app", "Personal API tokens: create, list, revoke."),  # noqa: E501
    LazyCommand("serve", "interlink.cli.serve:serve", "Serve the REST API (/api/v1, OpenAPI at /api/v1/openapi.json, /healthz, /readyz)."),  # noqa: E501
    LazyCommand("chats", "interlink.cli.chats:app", "Chat evidence: exports of messaging apps and UFDR."),  # noqa: E501
)
# fmt: on

app = typer.Typer(
    cls=lazy_group(COMMANDS),
    no_args_is_help=True,
    help="Interlink: recognise known material, surface what is new, link cases.",
    pretty_exceptions_enable=False,
    add_completion=False,
)


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
    from interlink.cli.context import State
    from interlink.settings import Settings

    ctx.obj = State(Settings.load(home=home, database_url=db, agency=agency))
    ctx.call_on_close(ctx.obj.close)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``interlink`` console script: Interlink's errors, and a file or folder
    named on the command line that cannot be opened as asked, become a one-line message and the
    exit code of their kind; Typer handles usage errors and ``Exit``."""
    try:
        app(args=argv)
    except Exception as exc:
        from interlink.domain.errors import InterlinkError

        if not isinstance(exc, InterlinkError | OSError):
            raise
        if not isinstance(exc, InterlinkError) and exc.filename is None:
            raise  # not about a named file: a fault, with its traceback
        from rich.markup import escape

        from interlink.cli.exit_codes import exit_code_for
        from interlink.cli.output import errors

        message = str(exc) if isinstance(exc, InterlinkError) else _os_message(exc)
        errors.print(
            f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True, markup=True
        )
        sys.exit(exit_code_for(exc))


def _os_message(error: OSError) -> str:
    """``path: reason`` (``path -> other: reason`` for a rename or a link)."""
    names = " -> ".join(str(name) for name in (error.filename, error.filename2) if name)
    return f"{names}: {error.strerror or error}"
