"""``interlink lists``: import, add to, show, compare, export and enable known-material lists."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from interlink.cli.context import state
from interlink.cli.output import JsonFlag, RichProgress, console, errors, print_json
from interlink.domain.categories import SCHEMES, read_category
from interlink.formats import registry
from interlink.services import list_compare, list_versions
from interlink.services import lists as service

app = typer.Typer(no_args_is_help=True, help="Known-material lists.")
FORMAT_NAMES = ", ".join(sorted(registry.FORMATS))
#: The ``--category-scheme`` option of every command that adds to a list from a file.
SchemeOption = Annotated[
    str | None,
    typer.Option(
        "--category-scheme",
        help="What a bare category code (1, A) means when the file does not say: one of "
        + ", ".join(sorted(SCHEMES))
        + ".",
    ),
]
#: Problems printed one by one before the summary.
SHOWN = 20


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The list file.")],
    name: Annotated[
        str | None, typer.Option("--name", help="List name (default: file stem).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help=f"auto, or one of: {FORMAT_NAMES}.")
    ] = "auto",
    version: Annotated[str, typer.Option("--version", help="The list's version label.")] = "",
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="full: the file is the whole list; delta: only additions, changes and "
            "tombstones; auto: delta when the file has tombstones.",
        ),
    ] = "auto",
    category_scheme: SchemeOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Apply FILE as a version of a list: add, change and delete entries idempotently.

    An entry whose hashes are good is always kept; a field of it that cannot be read is
    reported and kept as text. A file none of whose records can be read changes nothing and
    exits with 4 (invalid input)."""
    if mode not in ("auto", "full", "delta"):
        raise typer.BadParameter("--mode is auto, full or delta")
    shared = state(ctx)
    result = service.import_list(
        shared.store,
        file,
        name=name,
        fmt=fmt,
        version=version,
        mode="full" if mode == "full" else "delta" if mode == "delta" else "auto",
        category_scheme=category_scheme,
        actor=shared.settings.actor,
    )
    if as_json:
        print_json(
            {
                "list": result.list_name,
                "format": result.format,
                "mode": result.mode,
                "entries": result.entries,
                "added": result.added,
                "changed": result.changed,
                "unchanged": result.unchanged,
                "deleted": result.deleted,
                "errors": result.error_count,
                "truncated": result.truncated,
                "rematched": result.rematched,
                "error_details": [
                    {"position": e.position, "reason": e.reason, "fatal": e.fatal}
                    for e in result.errors
                ],
                "warnings": result.warning_count,
                "warning_details": [
                    {"position": w.position, "field": w.field, "reason": w.reason}
                    for w in result.warnings
                ],
            }
        )
        return
    for error in result.errors[:SHOWN]:
        errors.print(f"[yellow]skipped[/yellow] {escape(error.display())}", markup=True)
    if result.error_count > SHOWN:
        errors.print(f"... and {result.error_count - SHOWN} more bad records")
    for warning in result.warnings[:SHOWN]:
        errors.print(f"[yellow]kept[/yellow] {escape(warning.display())}", markup=True)
    if result.warning_count > SHOWN:
        errors.print(f"... and {result.warning_count - SHOWN} more fields that could not be read")
    if result.truncated:
        errors.print("the file ends early: what was read is applied, nothing was deleted")
    console.print(
        f"list {result.list_name!r} ({result.format}, {result.mode}): {result.added} added, "
        f"{result.changed} changed, {result.unchanged} unchanged, {result.deleted} deleted"
        + (f", {result.error_count} bad records skipped" if result.error_count else "")
        + (
            f", {result.warning_count} fields could not be read (kept as text)"
            if result.warning_count
            else ""
        )
        + (f"; {result.rematched} new matches in the store" if result.rematched else "")
    )


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The list to add to (created if new).")],
    paths: Annotated[list[Path], typer.Argument(help="Files and folders of known material.")],
    category: Annotated[
        str | None,
        typer.Option("--category", help="scheme:code, e.g. uk:A (or a code of --category-scheme)."),
    ] = None,
    category_scheme: SchemeOption = None,
    series: Annotated[str | None, typer.Option("--series", help="Series name.")] = None,
    victim_identified: Annotated[
        bool | None,
        typer.Option("--victim-identified/--victim-unidentified", help="Victim status."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Hash files and folders of known material (images and videos) into a list."""
    shared = state(ctx)
    with RichProgress("hashing known material", enabled=not as_json) as progress:
        result = service.add_files(
            shared.store,
            name,
            paths,
            category=read_category(category, category_scheme) if category else None,
            series=series,
            victim_identified=victim_identified,
            progress=progress,
            actor=shared.settings.actor,
            robust=shared.settings.robust_signal,
        )
    if as_json:
        print_json(
            {
                "list": result.list_name,
                "added": result.added,
                "changed": result.changed,
                "unchanged": result.unchanged,
                "rematched": result.rematched,
                "problems": [
                    {"path": p.ref.display(), "kind": p.kind.value, "message": p.message}
                    for p in result.problems
                ],
            }
        )
        return
    for problem in result.problems:
        errors.print(problem.display())
    console.print(
        f"list {name!r}: {result.added} added, {result.changed} changed, "
        f"{result.unchanged} already there"
    )


def _stats_json(shared_store: Any, name: str, trusted_votes: int) -> dict[str, Any]:
    from interlink.services.shared_lists import detail

    return detail(shared_store, name, trusted_votes)


@app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Only this list, in detail.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show every list with its size, or one list in detail (categories, signals, agencies,
    flags, and entries graded trusted)."""
    shared = state(ctx)
    store = shared.store
    if name is not None:
        detail = _stats_json(store, name, shared.settings.trusted_votes)
        service.audit_read(store, "show", [name], actor=shared.settings.actor)
        if as_json:
            print_json(detail)
            return
        table = Table(show_header=False, title=f"list {name}")
        for key in ("source", "version", "imported_at", "enabled", "pdq_threshold", "entries"):
            table.add_row(key, str(detail[key]))
        for group in ("by_category", "by_signal", "by_agency"):
            for key, value in detail[group].items():
                table.add_row(f"{group.removeprefix('by_')} {key}", str(value))
        for flag, counts in detail["flags"].items():
            table.add_row(flag, ", ".join(f"{k} {v}" for k, v in counts.items()))
        table.add_row(
            f"trusted (>= {detail['trusted_votes']} agencies agree)", str(detail["trusted"])
        )
        console.print(table)
        return
    lists = store.lists.all()
    if as_json:
        from interlink.services.shared_lists import summary

        print_json([summary(s) for s in lists])
        return
    table = Table("List", "Entries", "Version", "Enabled", "PDQ threshold", "Source")
    for s in lists:
        table.add_row(
            s.list.name,
            str(s.entries),
            s.list.version,
            "yes" if s.list.enabled else "no",
            str(s.pdq_threshold),
            s.list.source,
        )
    console.print(table)


@app.command("diff")
def diff(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="The first list.")],
    b: Annotated[str, typer.Argument(help="The second list.")],
    as_json: JsonFlag = False,
) -> None:
    """Compare two lists item by item (matched by their strongest hash)."""
    shared = state(ctx)
    result = list_compare.diff_lists(shared.store, a, b)
    service.audit_read(shared.store, "diff", [a, b], actor=shared.settings.actor)
    data = {
        "a": result.a,
        "b": result.b,
        "only_a": result.only_a,
        "only_b": result.only_b,
        "same": result.same,
        "different": result.different,
        "samples": result.samples,
    }
    if as_json:
        print_json(data)
        return
    console.print(
        f"{a} vs {b}: {result.only_a} only in {a}, {result.only_b} only in {b}, "
        f"{result.same} alike, {result.different} described differently"
    )
    for item in result.samples["different"]:
        console.print(f"  {item['item']}: {item['changes']}")


@app.command("conflicts")
def conflicts(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="At most this many items.")] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Items the enabled lists put in different categories (every vote is kept)."""
    shared = state(ctx)
    found = list(shared.store.list_views.conflicts(limit))
    service.audit_read(shared.store, "conflicts", [], actor=shared.settings.actor)
    from interlink.services.shared_lists import conflict_json

    data = [conflict_json(c) for c in found]
    if as_json:
        print_json(data)
        return
    table = Table("Item", "Votes")
    for item in data:
        votes = "; ".join(f"{v['category']} by {', '.join(v['agencies'])}" for v in item["votes"])
        table.add_row(f"{item['signal']}:{item['value']}", votes)
    console.print(table)


@app.command("export")
def export(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The list to export.")],
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {FORMAT_NAMES}.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The file to write.")],
    as_json: JsonFlag = False,
) -> None:
    """Write a list in an interchange format."""
    shared = state(ctx)
    report = service.export_list(shared.store, name, fmt, out, actor=shared.settings.actor)
    data = {
        "list": name,
        "format": fmt,
        "file": str(out),
        "written": report.written,
        "skipped": report.skipped,
        "dropped": report.dropped,
    }
    if as_json:
        print_json(data)
    else:
        console.print(
            f"wrote {report.written} entries to {out}"
            + (f" ({report.skipped} the format cannot hold)" if report.skipped else "")
        )


def _toggle(ctx: typer.Context, name: str, enabled: bool) -> None:
    shared = state(ctx)
    service.set_enabled(shared.store, name, enabled, actor=shared.settings.actor)
    console.print(f"list {name!r} {'enabled' if enabled else 'disabled'}")


@app.command("enable")
def enable(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Match scans against this list."""
    _toggle(ctx, name, True)


@app.command("disable")
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Stop matching scans against this list (its entries are kept)."""
    _toggle(ctx, name, False)


@app.command("versions")
def versions(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The list.")],
    as_json: JsonFlag = False,
) -> None:
    """A list's versions, oldest first, with how many entries each added, changed, removed."""
    shared = state(ctx)
    found = list_versions.versions(shared.store, name)
    service.audit_read(shared.store, "versions", [name], actor=shared.settings.actor)
    if as_json:
        print_json(found)
        return
    table = Table("Version #", "Label", "Imported", "Added", "Changed", "Removed", "Source")
    for v in found:
        counts = [("first" if v[k] is None else str(v[k])) for k in ("added", "changed", "removed")]
        table.add_row(str(v["generation"]), v["version"], v["imported_at"], *counts, v["source"])
    console.print(table)


@app.command("changes")
def changes(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The list.")],
    after: Annotated[
        int | None, typer.Option("--from", help="The older version # (default: the one before).")
    ] = None,
    upto: Annotated[
        int | None, typer.Option("--to", help="The newer version # (default: the newest).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """What a newer version of a list changed since an older one: entries added, removed, and
    changed in category, series or flags (version numbers from ``lists versions``)."""
    shared = state(ctx)
    found = list_versions.changes(shared.store, name, after=after, upto=upto)
    service.audit_read(shared.store, "changes", [name], actor=shared.settings.actor)
    if as_json:
        print_json(found)
        return
    console.print(
        f"{escape(name)} version {found['from']} → {found['to']}: {found['added']} added, "
        f"{found['removed']} removed, {found['changed']} changed"
    )
    for row in found["items"][:SHOWN]:
        was, now = row["category_before"] or "—", row["category_after"] or "—"
        console.print(f"  {row['change']:8} {escape(row['item'])}  {was} → {now}")
