from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from interlink.cli.app import COMMANDS
from interlink.cli.lazy import LazyCommand, help_of, lazy_group


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_the_help_table_matches_each_real_command(command: LazyCommand) -> None:
    loaded = command.load()
    assert loaded.name == command.name
    assert help_of(loaded) == command.help, f"update the help of {command.name!r} in cli/app.py"


def test_help_lists_commands_from_the_table_and_runs_them_on_demand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    program = """
import sys
from interlink.cli.app import main
try:
    main(["--help"])
except SystemExit:
    pass
print(" ".join(sorted(m for m in sys.modules if m.startswith("interlink.cli."))))
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    *help_lines, modules = done.stdout.strip().splitlines()
    shown = "\n".join(help_lines)
    for command in COMMANDS:
        assert f" {command.name} " in shown
    assert modules.split() == [  # no command module, not even the state of a command
        "interlink.cli.app",
        "interlink.cli.lazy",
        "interlink.cli.params",
        "interlink.cli.rich_help",
    ]


def test_a_lazy_group_imports_a_command_when_it_runs(capsys: pytest.CaptureFixture[str]) -> None:
    table = (LazyCommand("hello", "tests.cli.test_lazy:hello", "Say hello."),)
    app = typer.Typer(cls=lazy_group(table), no_args_is_help=True)

    @app.callback()
    def root() -> None:
        """Root."""

    app(["hello", "--name", "x"], standalone_mode=False)
    assert capsys.readouterr().out == "hello x\n"
    with pytest.raises(SystemExit):
        app(["helo"])
    assert "Did you mean 'hello'" in capsys.readouterr().err


def test_two_commands_of_one_name_are_refused() -> None:
    twice = (LazyCommand("a", "m:a", "A."), LazyCommand("a", "m:b", "B."))
    with pytest.raises(ValueError, match="same name"):
        lazy_group(twice)


def hello(name: str = typer.Option("world", "--name")) -> None:
    """Say hello."""
    print(f"hello {name}")
