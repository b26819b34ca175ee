"""``interlink scan``: ingest, match and summarise an exhibit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interlink.cli.context import state
from interlink.cli.output import JsonFlag, RichProgress, console, print_json
from interlink.domain.errors import SourceError
from interlink.media.analyse import AnalysisOptions
from interlink.services.scan import ScanOptions, ScanResult, scan_exhibit
from interlink.sources.base import DiskOptions


def scan(
    ctx: typer.Context,
    exhibit: Annotated[Path, typer.Argument(help="Folder, archive or file to scan (read-only).")],
    case: Annotated[str, typer.Option("--case", help="Case to scan into (created if new).")],
    lists: Annotated[
        list[str] | None,
        typer.Option("--list", help="Match only against this list (repeatable; default: all)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--exhibit-name", help="Exhibit name (default: file name).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Worker processes (0: none, in-process).")
    ] = None,
    no_carve: Annotated[
        bool, typer.Option("--no-carve", help="Do not carve unallocated space of disk images.")
    ] = False,
    vss: Annotated[
        bool, typer.Option("--vss", help="Scan volume shadow snapshots of disk images too.")
    ] = False,
    bitlocker_keys: Annotated[
        list[str] | None,
        typer.Option(
            "--bitlocker-key",
            help="BitLocker recovery password (48 digits) to open encrypted volumes (repeatable).",
        ),
    ] = None,
    passwords: Annotated[
        list[str] | None,
        typer.Option("--volume-password", help="Password of encrypted volumes (repeatable)."),
    ] = None,
    verify_image: Annotated[
        bool,
        typer.Option("--verify-image", help="Recompute disk images' hashes against the stored."),
    ] = False,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            help="Dask scheduler to scan on, tcp://HOST:8786 (default: INTERLINK_DASK_SCHEDULER).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Scan EXHIBIT into CASE: hash every file, match the known lists, record it all.

    Disk images (E01, raw, VMDK, QCOW2, VHD/VHDX) are recognised by content: their partitions
    and file systems are walked, deleted files read, unallocated space carved.
    Scanning the same exhibit again resumes it, skipping what is done.
    """
    shared = state(ctx)
    if not exhibit.exists():
        raise SourceError(str(exhibit), "no such file or folder")
    options = ScanOptions(
        workers=shared.settings.workers if workers is None else workers,
        lists=tuple(lists) if lists else None,
        index_cache=shared.settings.home / "indexes",
        disk=DiskOptions(
            carve=not no_carve,
            vss=vss,
            credentials=tuple(("recovery_password", key) for key in bitlocker_keys or ())
            + tuple(("password", word) for word in passwords or ()),
            verify=verify_image,
        ),
        analysis=AnalysisOptions(robust=shared.settings.robust_signal),
        cluster=cluster or shared.settings.dask_scheduler,
    )
    with RichProgress("scanning", enabled=not as_json) as progress:
        result = scan_exhibit(
            shared.store,
            exhibit,
            case=case,
            exhibit=name,
            options=options,
            progress=progress,
            actor=shared.settings.actor,
            agency=shared.agency,
        )
    if as_json:
        print_json(result_json(result))
    else:
        show(result)


def result_json(result: ScanResult) -> dict[str, object]:
    """The JSON form of a scan result."""
    return result.to_json()


def show(result: ScanResult) -> None:
    """Print a scan result for people."""
    from rich.table import Table

    s = result.summary
    table = Table(title=f"{result.case} / {result.exhibit}", show_header=False)
    rows: list[tuple[str, object]] = [
        ("Files", s.files),
        ("Unique media", s.unique_media),
        ("Binary duplicates", s.binary_duplicates),
        ("Visual duplicates", s.visual_duplicates),
        ("Known", s.known),
        *((f"  in list {k}", v) for k, v in s.known_by_list.items()),
        *((f"  category {k}", v) for k, v in s.known_by_category.items()),
        *((f"  series {k}", v) for k, v in s.known_by_series.items()),
        ("  victim identified", s.victim_identified),
        ("New images", s.new_images),
        ("New videos", s.new_videos),
        ("Other files", s.other_files),
        ("Errors", s.errors),
        ("Warnings", s.warnings),
    ]
    for label, value in rows:
        table.add_row(label, str(value))
    console.print(table)
    for where, image in result.images.items():
        verified = {True: "hash verified", False: "HASH MISMATCH", None: "hash not verified"}
        console.print(f"image {where}: {image['format']}, {verified[image['verified']]}")
    verb = "resumed" if result.resumed else "scanned"
    console.print(
        f"{verb} in {result.seconds:.1f} s: {result.ingested} ingested, "
        f"{result.skipped} already done"
    )
