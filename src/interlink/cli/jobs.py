"""``interlink jobs`` (submit, list, show, cancel background scans) and ``interlink worker``."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from interlink.cli.context import State, state
from interlink.cli.output import JsonFlag, console, print_json

if TYPE_CHECKING:
    from interlink.domain.jobs import Job
    from interlink.job_queue import JobQueue

#: How much ``interlink worker`` lowers its CPU priority by default: a scan takes every core it
#: can, and on a machine it shares with the server the API's requests must come first.
NICE = 10

app = typer.Typer(no_args_is_help=True, help="Background jobs: scans of server-side evidence.")


@contextmanager
def _queue(shared: State) -> Iterator[JobQueue]:
    from interlink.bootstrap import open_queue

    queue = open_queue(shared.settings, shared.store)
    try:
        yield queue
    finally:
        queue.close()


def _print(job: Job, as_json: bool) -> None:
    if as_json:
        print_json(job.to_json())
    else:
        _show(job)


def _show(job: Job) -> None:
    progress = f"{job.files_done}/{job.files_total} files"
    console.print(
        f"job {job.id} ({job.kind}): [bold]{job.state.value}[/bold], {progress}, "
        f"attempt {job.attempts}, submitted by {escape(job.submitted_by)}",
        markup=True,
    )
    if job.problem:
        console.print(f"problem: {job.problem}")


@app.command("scan")
def scan(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="Server-side evidence path, under an allowed root.")],
    case: Annotated[str, typer.Option("--case", help="Case to scan into (created if new).")],
    name: Annotated[
        str | None, typer.Option("--exhibit-name", help="Exhibit name (default: file name).")
    ] = None,
    lists: Annotated[
        list[str] | None,
        typer.Option("--list", help="Match only against this list (repeatable; default: all)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Queue a scan of PATH (under INTERLINK_EVIDENCE_ROOTS) for a worker to run."""
    from interlink.services.jobs import submit_scan

    shared = state(ctx)
    with _queue(shared) as queue:
        job = submit_scan(
            shared.store,
            queue,
            agency_id=shared.agency.id,
            actor=shared.settings.actor,
            path=path,
            case=case,
            roots=shared.settings.evidence_roots,
            exhibit=name,
            lists=lists,
        )
    _print(job, as_json)


@app.command("list")
def list_(
    ctx: typer.Context,
    job_state: Annotated[
        str | None, typer.Option("--state", help="Only jobs in this state.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 50,
    cursor: Annotated[str | None, typer.Option("--cursor", help="Next page's cursor.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The acting agency's jobs, newest first."""
    from interlink.services.jobs import list_jobs

    shared = state(ctx)
    page = list_jobs(
        shared.store, agency_id=shared.agency.id, limit=limit, cursor=cursor, state=job_state
    )
    if as_json:
        print_json({"jobs": [j.to_json() for j in page.jobs], "next_cursor": page.next_cursor})
        return
    table = Table("Id", "Kind", "State", "Files", "Submitted", "By")
    for job in page.jobs:
        table.add_row(
            str(job.id),
            job.kind,
            job.state.value,
            f"{job.files_done}/{job.files_total}",
            job.submitted_at.isoformat(timespec="seconds"),
            job.submitted_by,
        )
    console.print(table)
    if page.next_cursor:
        console.print(f"more: --cursor {page.next_cursor}")


@app.command("show")
def show(
    ctx: typer.Context,
    job: Annotated[str, typer.Argument(help="The job's id.")],
    as_json: JsonFlag = False,
) -> None:
    """One job of the acting agency: state, progress, result or problem."""
    from interlink.services.jobs import get_job

    shared = state(ctx)
    _print(get_job(shared.store, job, agency_id=shared.agency.id), as_json)


@app.command("cancel")
def cancel(
    ctx: typer.Context,
    job: Annotated[str, typer.Argument(help="The job's id.")],
    as_json: JsonFlag = False,
) -> None:
    """Cancel a queued job, or ask a running one to stop."""
    from interlink.services.jobs import cancel_job

    shared = state(ctx)
    with _queue(shared) as queue:
        found = cancel_job(
            shared.store, queue, job, agency_id=shared.agency.id, actor=shared.settings.actor
        )
    _print(found, as_json)


def worker(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Stop when no job is left instead of waiting.")
    ] = False,
    stalled_after: Annotated[
        float,
        typer.Option(
            "--stalled-after",
            help="PostgreSQL: seconds without a worker's heartbeat before its job is resumed.",
        ),
    ] = 30.0,
    nice: Annotated[
        int,
        typer.Option(
            "--nice",
            min=0,
            max=19,
            help="Lower the CPU priority of the worker's scan processes by this much, so a "
            "server on the same machine keeps answering while it scans (the worker itself, "
            "which holds database locks, keeps its priority); 0 keeps theirs.",
        ),
    ] = NICE,
) -> None:
    """Run queued jobs: the one worker of an SQLite store, or one of many on PostgreSQL.

    A job left half done by a worker that died is resumed where it stopped.
    """
    from interlink.bootstrap import open_queue
    from interlink.services.executor import lower_worker_priority
    from interlink.services.jobs import job_handler

    shared = state(ctx)
    lower_worker_priority(nice)
    previous = signal.signal(signal.SIGTERM, _stop)
    queue = open_queue(shared.settings, shared.store, stalled_seconds=stalled_after)
    try:
        queue.work(job_handler(shared.store, shared.settings), once=once)
    finally:
        queue.close()
        signal.signal(signal.SIGTERM, previous)


def _stop(signum: int, frame: Any) -> None:
    sys.exit(128 + signum)
