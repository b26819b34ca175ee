"""``cli.params``: parameters converted without pydantic give what Typer's converters give."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from typer import _click
from typer._click.exceptions import BadParameter
from typer.core import _TyperParameter

from interlink.cli import params


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


def _command(
    text: Annotated[str, typer.Argument()],
    where: Annotated[Path, typer.Option("--where")] = Path("."),
    existing: Annotated[Path | None, typer.Option("--existing", exists=True)] = None,
    file: Annotated[
        Path | None, typer.Option("--file", exists=True, dir_okay=False, resolve_path=True)
    ] = None,
    folder: Annotated[Path | None, typer.Option("--folder", file_okay=False)] = None,
    dash: Annotated[Path | None, typer.Option("--dash", allow_dash=True)] = None,
    count: Annotated[int, typer.Option("--count", min=1, max=5)] = 1,
    names: Annotated[list[str] | None, typer.Option("--name")] = None,
    colour: Annotated[Colour, typer.Option("--colour")] = Colour.RED,
    flag: Annotated[bool, typer.Option("--flag")] = False,
) -> None:
    """A command with one parameter of each kind Interlink's commands use."""


def _parameters() -> tuple[_click.Context, dict[str, _TyperParameter]]:
    holder = typer.Typer()
    holder.command()(_command)
    command = typer.main.get_command(holder)
    found = {p.name: p for p in command.params if isinstance(p, _TyperParameter)}
    assert found.keys() >= {"text", "where", "file", "count", "names", "colour", "flag"}
    return _click.Context(command), found


def _outcome(runtime: Any, value: Any, parameter: _TyperParameter, ctx: _click.Context) -> Any:
    try:
        return "value", runtime.coerce(value, param=parameter, ctx=ctx)
    except BadParameter as error:
        return "error", error.format_message()


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "a file").write_text("x")
    (tmp_path / "a folder").mkdir()
    return {
        "file": str(tmp_path / "a file"),
        "folder": str(tmp_path / "a folder"),
        "missing": str(tmp_path / "missing"),
    }


VALUES = (
    *("", "-", "x", "a/", "./x", "a//b", "a\udcff", "nul\x00byte"),
    *("file", "folder", "missing", None),
)


@pytest.mark.parametrize(
    "name", ["text", "where", "existing", "file", "folder", "dash", "count", "colour"]
)
def test_every_value_converts_as_typer_converts_it(name: str, places: dict[str, str]) -> None:
    ctx, found = _parameters()
    parameter = found[name]
    for raw in (*VALUES, "3", "9", "blue", "RED"):
        value = places.get(raw, raw) if isinstance(raw, str) else raw
        ours = _outcome(
            params.deferred_runtime_param(parameter.type_descriptor), value, parameter, ctx
        )
        typers = _outcome(
            params.typer_runtime_param(parameter.type_descriptor), value, parameter, ctx
        )
        assert ours == typers, (name, value)


def test_lists_flags_and_missing_values_convert_as_typer_converts_them() -> None:
    ctx, found = _parameters()
    for name, value in (("names", ("a", "b")), ("names", None), ("flag", True), ("flag", "1")):
        parameter = found[name]
        ours = _outcome(
            params.deferred_runtime_param(parameter.type_descriptor), value, parameter, ctx
        )
        typers = _outcome(
            params.typer_runtime_param(parameter.type_descriptor), value, parameter, ctx
        )
        assert ours == typers, (name, value)


def test_typers_converter_is_built_only_for_values_it_is_needed_for() -> None:
    ctx, found = _parameters()
    text = params.deferred_runtime_param(found["text"].type_descriptor)
    assert text.coerce("plain", param=found["text"], ctx=ctx) == "plain"
    assert text.coerce(None, param=found["text"], ctx=ctx) is None
    assert not text._built
    count = params.deferred_runtime_param(found["count"].type_descriptor)
    assert count.coerce("3", param=found["count"], ctx=ctx) == 3
    assert count._built  # numbers are Typer's (pydantic's) to parse


def test_install_makes_typer_use_the_deferred_converters() -> None:
    import typer.core

    params.install()
    assert typer.core.build_runtime_param is params.deferred_runtime_param  # type: ignore[attr-defined]
    _, found = _parameters()
    assert isinstance(found["where"].get_runtime_param(), params.DeferredParam)
