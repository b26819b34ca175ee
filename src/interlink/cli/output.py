"""Console output shared by every command: Rich for people, plain JSON for machines."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

# Markup is off by default: paths and names from evidence may contain brackets. Callers that
# style text pass ``markup=True`` and escape what they interpolate.
console = Console(markup=False)
#: The ``--json`` flag every command that shows data takes.
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]
errors = Console(stderr=True, markup=False)


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to standard output, and nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    sys.stdout.write("\n")
    sys.stdout.flush()


class _RateColumn(ProgressColumn):
    """Items per second."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not task.completed or not elapsed:
            return Text("-- /s", style="cyan")
        return Text(f"{task.completed / elapsed:,.0f}/s", style="cyan")


class RichProgress:
    """A progress bar (rate, ETA) on standard error, as a ``services.progress.Progress``."""

    def __init__(self, description: str, *, enabled: bool = True) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=errors,
            disable=not enabled,
            transient=False,
        )
        self._task = self._progress.add_task(description, total=0)

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def grow(self, items: int) -> None:
        """More items are known to be coming."""
        total = self._progress.tasks[0].total or 0
        self._progress.update(self._task, total=total + items)

    def advance(self, items: int = 1) -> None:
        """Items are done (the total grows to match if the estimate was short)."""
        task = self._progress.tasks[0]
        if task.total is not None and task.completed + items > task.total:
            self._progress.update(self._task, total=task.completed + items)
        self._progress.advance(self._task, items)
