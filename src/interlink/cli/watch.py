"""``interlink watch``: deconfliction watches of the acting agency and their hits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from interlink.cli.context import state
from interlink.cli.output import console, print_json
from interlink.domain.errors import InvalidFieldError
from interlink.linking.deconfliction import Disclosure, Priority, TriggerKind
from interlink.services import watches
from interlink.services.cases import own_case

app = typer.Typer(no_args_is_help=True, help="Deconfliction watches and their hits.")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON only.")]
PRIORITIES = {p.name.lower(): p for p in Priority}


@app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[TriggerKind, typer.Argument(help="What to watch.")],
    value: Annotated[
        str, typer.Argument(help="Hash, series, MAKE:SERIAL or SERIAL, or identifier.")
    ],
    title: Annotated[str, typer.Option("--title", help="Shown to agencies that hit it.")],
    priority: Annotated[
        str, typer.Option("--priority", help="low, normal, high or critical.")
    ] = "normal",
    disclosure: Annotated[
        Disclosure, typer.Option("--disclosure", help="What a hit shows each side.")
    ] = Disclosure.AGENCY,
    message: Annotated[str, typer.Option("--message", help="Shown to agencies that hit it.")] = "",
    case: Annotated[str | None, typer.Option("--case", help="The case it serves.")] = None,
    days: Annotated[
        int | None, typer.Option("--days", help="Expire after this many days.", min=1)
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port of a watched IP.")] = None,
    service: Annotated[
        str | None, typer.Option("--service", help="Platform of an account, type of a device.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Watch a hash, series, camera serial or identifier: hits from other cases, already held
    or scanned later, notify both agencies."""
    shared = state(ctx)
    if priority.lower() not in PRIORITIES:
        raise InvalidFieldError("priority", priority, "low, normal, high or critical")
    placed = watches.add_watch(
        shared.store,
        shared.agency,
        [watches.TriggerSpec(kind, value, port, service)],
        title=title,
        priority=PRIORITIES[priority.lower()],
        disclosure=disclosure,
        message=message,
        case=own_case(shared.store, case, shared.agency) if case else None,
        expires_at=datetime.now(UTC) + timedelta(days=days) if days else None,
        actor=shared.settings.actor,
    )
    result = {
        "id": str(placed.alert.id),
        "triggers": [{"kind": t.kind.value, "value": t.value} for t in placed.triggers],
        "hits": len(placed.hits),
    }
    if as_json:
        print_json(result)
    else:
        console.print(f"watch {result['id']} placed; {len(placed.hits)} hit(s) on what is held")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The acting agency's watches."""
    shared = state(ctx)
    rows = watches.watch_list(shared.store, shared.agency)
    if as_json:
        print_json(rows)
        return
    table = Table("Id", "Title", "Priority", "Triggers", "Active", "Hit cases", "Expires")
    for row in rows:
        table.add_row(
            row["id"][:8],
            row["title"],
            row["priority"],
            "; ".join(f"{t['kind']} {t['value']}" for t in row["triggers"]),
            "yes" if row["active"] else "no",
            str(row["hit_cases"]),
            row["expires_at"] or "",
        )
    console.print(table)


@app.command("hits")
def hits(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Hits on the acting agency's watches, and its cases' hits on other agencies' watches."""
    shared = state(ctx)
    views = watches.hit_views(shared.store, shared.agency)
    if as_json:
        print_json(views)
        return
    table = Table("Side", "Watch", "Priority", "Other agency", "Contact", "Case", "Items")
    for view in views:
        other = view["agency"]
        case = view["own_case"] if view["side"] == "hitter" else view["case"]
        table.add_row(
            "my case hit" if view["side"] == "hitter" else "my watch hit",
            view["title"],
            view["priority"],
            f"{other['name']} ({other['country']})",
            other["contact"],
            case or "(not disclosed)",
            str(view["items"]),
        )
    console.print(table)


@app.command("withdraw")
def withdraw(
    ctx: typer.Context, watch: Annotated[str, typer.Argument(help="The watch id.")]
) -> None:
    """Withdraw a watch of the acting agency."""
    shared = state(ctx)
    try:
        ident = uuid.UUID(watch)
    except ValueError:
        raise InvalidFieldError("watch id", watch, "not a UUID") from None
    watches.withdraw_watch(shared.store, ident, shared.agency, actor=shared.settings.actor)
    console.print(f"watch {watch} withdrawn")
