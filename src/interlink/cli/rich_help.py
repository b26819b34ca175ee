"""Typer's Rich help and error panels, without the Markdown and traceback renderers.

``typer.rich_utils`` (imported for every ``--help`` and usage error) imports ``rich.markdown``
(markdown-it, Pygments) and ``rich.traceback`` at the top, to render help written in Markdown
(``rich_markup_mode="markdown"``, which Interlink does not use) and pretty tracebacks (which
Interlink turns off). Importing them is most of what ``interlink --help`` costs.

``install()`` puts a finder on ``sys.meta_path`` that loads ``typer.rich_utils`` unchanged,
except that while its code runs, ``rich.markdown`` and ``rich.traceback`` (if not loaded
already) are stand-ins whose ``Markdown`` and ``Traceback`` import the real ones the moment
they are used. The stand-ins are gone from ``sys.modules`` as soon as ``typer.rich_utils`` is
loaded: anyone importing ``rich.markdown`` later gets the real module. The help text is the
same byte for byte (``tests/cli/test_rich_help.py``).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

TARGET = "typer.rich_utils"


class Markdown:
    """Stands in for ``rich.markdown.Markdown``: makes the real one."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.markdown import Markdown as Real

        return Real(*args, **kwargs)


class Traceback:
    """Stands in for ``rich.traceback.Traceback``: its one constructor Typer uses."""

    @classmethod
    def from_exception(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.traceback import Traceback as Real

        return Real.from_exception(*args, **kwargs)


STAND_INS: dict[str, dict[str, Any]] = {
    "rich.markdown": {"Markdown": Markdown},
    "rich.traceback": {"Traceback": Traceback},
}


@contextmanager
def _standing_in() -> Iterator[None]:
    placed = []
    for name, attributes in STAND_INS.items():
        if name not in sys.modules:
            module = types.ModuleType(name, "Stand-in while typer.rich_utils loads.")
            module.__dict__.update(attributes)
            sys.modules[name] = module
            placed.append((name, module))
    try:
        yield
    finally:
        for name, module in placed:
            if sys.modules.get(name) is module:
                del sys.modules[name]


class _Loader(importlib.abc.Loader):
    def __init__(self, real: importlib.abc.Loader) -> None:
        self._real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        with _standing_in():
            self._real.exec_module(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename... for linecache
        return getattr(self._real, name)


class RichUtilsFinder(importlib.abc.MetaPathFinder):
    """Finds ``typer.rich_utils`` as the path finder does, to load it with the stand-ins."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Load ``typer.rich_utils`` with the stand-ins when it is first imported (once)."""
    if TARGET not in sys.modules and not any(
        isinstance(finder, RichUtilsFinder) for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, RichUtilsFinder())
