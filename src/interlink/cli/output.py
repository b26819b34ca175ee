"""Console output shared by every command: Rich for people, plain JSON for machines.

Rich is imported when a command first prints for people (``console``, ``errors``) or shows a
progress bar: a command run with ``--json`` does not load it.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

if TYPE_CHECKING:
    from rich.console import Console


class _LazyConsole:
    """A Rich ``Console`` made with these options the first time it is used."""

    def __init__(self, **options: Any) -> None:
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_made", None)

    def made(self) -> Console:
        """The console itself."""
        if self._made is None:
            from rich.console import Console

            object.__setattr__(self, "_made", Console(**self._options))
        return cast("Console", self._made)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.made(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.made(), name, value)


def made(console: Console) -> Console:
    """The Rich console behind ``console`` or ``errors`` (made now if it was not yet)."""
    return console.made() if isinstance(console, _LazyConsole) else console


# Markup is off by default: paths and names from evidence may contain brackets. Callers that
# style text pass ``markup=True`` and escape what they interpolate.
console = cast("Console", _LazyConsole(markup=False))
#: The ``--json`` flag every command that shows data takes.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]
errors = cast("Console", _LazyConsole(stderr=True, markup=False))


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to standard output, and nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


def _rate_column() -> Any:
    """A Rich progress column showing items per second."""
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Items per second."""

        def render(self, task: Task) -> Text:
            elapsed = task.finished_time if task.finished else task.elapsed
            if not task.completed or not elapsed:
                return Text("-- /s", style="cyan")
            return Text(f"{task.completed / elapsed:,.0f}/s", style="cyan")

    return RateColumn()


class RichProgress:
    """A progress bar (rate, ETA) on standard error, as a ``services.progress.Progress``.
    Disabled (``enabled=False``, as under ``--json``) it shows nothing and loads no Rich."""

    def __init__(self, description: str, *, enabled: bool = True) -> None:
        self._progress: Any = None
        if not enabled:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _rate_column(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=made(errors),
            transient=False,
        )
        self._task = self._progress.add_task(description, total=0)

    def __enter__(self) -> RichProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def grow(self, items: int) -> None:
        """More items are known to be coming."""
        if self._progress is None:
            return
        total = self._progress.tasks[0].total or 0
        self._progress.update(self._task, total=total + items)

    def advance(self, items: int = 1) -> None:
        """Items are done (the total grows to match if the estimate was short)."""
        if self._progress is None:
            return
        task = self._progress.tasks[0]
        if task.total is not None and task.completed + items > task.total:
            self._progress.update(self._task, total=task.completed + items)
        self._progress.advance(self._task, items)
