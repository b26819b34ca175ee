"""Typer's conversion of option and argument values, without pydantic where it adds nothing.

Typer 0.29 converts every parameter's value with a pydantic ``TypeAdapter`` that it builds the
first time the parameter is processed, even when the value is ``None`` (an option not given),
which it then returns untouched. Importing pydantic and building the adapters is about a third
of what a light command such as ``interlink cases --json`` costs to start.

``install()`` replaces Typer's ``build_runtime_param`` (what ``typer.core`` calls to make a
parameter's converter) with one that returns ``DeferredParam``: it gives the same result as
Typer's own converter and builds that converter (and imports pydantic) only for a value it
cannot convert exactly as Typer would without it. Without pydantic it converts:

- ``None`` (and an empty multiple option), as Typer's ``RuntimeParam.coerce`` does before any
  adapter is used;
- a ``str`` value of a ``str`` parameter, which Typer's adapter returns unchanged
  (``_parse_cli_str`` then pydantic's ``str``);
- a ``str`` value of a ``Path`` parameter (no ``path_type``, no ``parser``), which Typer's
  adapter turns into ``Path(value)`` (pydantic's ``Path``) before its own checks
  (``coerce_cli_path``): those checks are run here on ``Path(value)`` the same way, when that
  path reads exactly as the value (its messages quote the value: ``""``, ``"a/"`` or ``"./a"``
  go to Typer's converter). A check that raises ``ValueError`` (a NUL byte in a path) goes
  through Typer's converter too, which reports it as a bad parameter.

Everything else (numbers, choices, lists, dates, files, parsers) goes to Typer's converter, built on
first use. ``tests/cli/test_params.py`` checks both give the same values and the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typer import _coercion, core
from typer._param_types import coerce_cli_path

if TYPE_CHECKING:
    from typer._click import Context
    from typer.core import _TyperParameter

#: Typer's own ``build_runtime_param``.
typer_runtime_param = _coercion.build_runtime_param


@dataclass(frozen=True)
class DeferredParam(_coercion.RuntimeParam):
    """A parameter's converter that builds Typer's own only for values it cannot convert."""

    descriptor: _coercion.TypeDescriptor
    _built: list[_coercion.RuntimeParam] = field(default_factory=list, compare=False, repr=False)

    def typer_param(self) -> _coercion.RuntimeParam:
        """Typer's converter for this parameter, built on first use."""
        if not self._built:
            self._built.append(typer_runtime_param(self.descriptor))
        return self._built[0]

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        if type(value) is str and self.parameter_info.parser is None:
            if self.annotation is str:
                return value
            path = Path(value)
            if (
                self.annotation is Path
                and self.parameter_info.path_type is None
                and str(path) == value
            ):
                try:
                    return coerce_cli_path(
                        path, self.parameter_info, path_type=Path, param=param, ctx=ctx
                    )
                except ValueError:
                    pass  # Typer's converter turns it into a bad-parameter error
        return self.typer_param()._coerce_value(value, param=param, ctx=ctx)


def deferred_runtime_param(descriptor: _coercion.TypeDescriptor) -> DeferredParam:
    """What ``typer.core`` calls to make a parameter's converter."""
    return DeferredParam(
        annotation=descriptor.annotation,
        parameter_info=descriptor.parameter_info,
        descriptor=descriptor,
    )


def install() -> None:
    """Make Typer build parameters' converters with ``deferred_runtime_param``."""
    setattr(core, "build_runtime_param", deferred_runtime_param)  # noqa: B010 (not exported)
