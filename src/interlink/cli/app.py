"""The ``interlink`` command."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Interlink: known-material matching and triage.")


@app.callback()
def _root() -> None:
    """Interlink command line."""


def main() -> None:
    """Entry point of the ``interlink`` console script."""
    app()
