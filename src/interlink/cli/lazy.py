"""Sub-commands registered by name and imported only when they run.

A ``LazyCommand`` names a command, where it is defined (``"module:attribute"``: a command
function or a ``typer.Typer`` sub-app) and its one-line help. The group built by
``lazy_group(commands)`` lists every command with that help without importing anything (so
``interlink --help`` stays fast), and imports a command's module only when the command is
looked up to run, building it exactly as ``Typer.command(name)`` or ``Typer.add_typer(name=)``
would. ``help_of`` gives the help a loaded command really has, so a test can pin the table to
the code.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer import _click  # the click that Typer vendors: its types are Typer's base classes
from typer.core import TyperCommand, TyperGroup

#: Set in a context's ``meta`` while the group writes its help: commands are then listed from
#: the table instead of being imported.
_LISTING = "interlink.cli.lazy.listing"


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """A sub-command: its name, ``"module:attribute"`` defining it, and its one-line help."""

    name: str
    target: str
    help: str

    def load(self) -> _click.Command:
        """Import the defining module and build the click command (or group) it defines."""
        module, _, attribute = self.target.partition(":")
        defined = getattr(importlib.import_module(module), attribute)
        holder = typer.Typer()
        if isinstance(defined, typer.Typer):
            holder.add_typer(defined, name=self.name)
        else:
            holder.command(self.name)(defined)
        # A holder with one sub-app or one command still becomes a group once it has a callback.
        holder.callback()(_nothing)
        return typer.main.get_group(holder).commands[self.name]

    def listing(self) -> _click.Command:
        """A stand-in that only shows the name and help in a listing of commands."""
        return TyperCommand(name=self.name, help=self.help)


def _nothing() -> None:
    """The holder group's callback (never run)."""


def help_of(command: _click.Command) -> str:
    """The help a command shows in its group's listing: the first paragraph of its short help
    or help, on one line."""
    text = command.short_help or command.help or ""
    return " ".join(text.strip().split("\n\n", 1)[0].split())


class _Commands(MutableMapping[str, _click.Command]):
    """A group's commands: those built already, and the lazy ones, built on first lookup."""

    def __init__(
        self, built: Mapping[str, _click.Command], lazy: Mapping[str, LazyCommand]
    ) -> None:
        self._built = dict(built)
        self._lazy = lazy

    def __getitem__(self, name: str) -> _click.Command:
        if name not in self._built:
            self._built[name] = self._lazy[name].load()
        return self._built[name]

    def __setitem__(self, name: str, command: _click.Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._built
        yield from (name for name in self._lazy if name not in self._built)

    def __len__(self) -> int:
        return len(self._built) + sum(1 for name in self._lazy if name not in self._built)

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._lazy

    def loaded(self, name: str) -> bool:
        return name in self._built


class LazyGroup(TyperGroup):
    """A Typer group whose ``lazy`` commands are imported only when looked up to run."""

    lazy: ClassVar[Mapping[str, LazyCommand]] = {}

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands, self.lazy)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(self.commands)  # names only: TyperGroup's own reads every command

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        commands = self.commands
        if (
            ctx.meta.get(_LISTING)
            and isinstance(commands, _Commands)
            and cmd_name in self.lazy
            and not commands.loaded(cmd_name)
        ):
            return self.lazy[cmd_name].listing()
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        ctx.meta[_LISTING] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            del ctx.meta[_LISTING]


def lazy_group(commands: tuple[LazyCommand, ...]) -> type[LazyGroup]:
    """A ``LazyGroup`` class (for ``typer.Typer(cls=...)``) with these commands, in this
    order; names must be unique."""
    table = {command.name: command for command in commands}
    if len(table) != len(commands):
        raise ValueError("two lazy commands have the same name")
    return type("InterlinkGroup", (LazyGroup,), {"lazy": table})
