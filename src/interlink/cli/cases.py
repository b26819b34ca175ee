"""``interlink cases``, ``interlink links CASE`` and ``interlink operation``: an agency's
cases and what links them with other agencies' cases."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from interlink.cli.context import state
from interlink.cli.output import console, print_json
from interlink.domain.cases import (
    CaseStatus,
    Identifier,
    IdentifierKind,
    SuspectStatus,
    VictimStatus,
)
from interlink.domain.errors import InvalidFieldError
from interlink.services.case_list import case_list

if TYPE_CHECKING:  # imported by the commands that change cases: listing them needs none of it
    from interlink.services import cases as service

app = typer.Typer(
    help="The acting agency's cases: list them, record identifiers, victims and suspects.",
    invoke_without_command=True,
)
operation_app = typer.Typer(no_args_is_help=True, help="Operations: cases across agencies.")

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON only.")]


@app.callback()
def cases(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the acting agency's cases with their links and watch hits."""
    if ctx.invoked_subcommand is not None:
        return
    shared = state(ctx)
    store, agency = shared.for_listing()
    rows = case_list(store, agency)
    if as_json:
        print_json({"agency": agency.name, "cases": rows})
        return
    from rich.table import Table

    table = Table("Case", "Status", "Exhibits", "Linked cases", "Watch hits")
    for row in rows:
        table.add_row(
            row["case"],
            row["status"],
            str(row["exhibits"]),
            str(row["linked_cases"]),
            str(row["watch_hits"]),
        )
    console.print(f"agency {agency.name} ({agency.country})")
    console.print(table)


@app.command("agency")
def agency(
    ctx: typer.Context,
    contact: Annotated[str | None, typer.Option("--contact", help="New contact.")] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="New ISO 3166-1 alpha-2 country.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show the acting agency, or change its contact or country."""
    from interlink.services import cases as service

    shared = state(ctx)
    current = shared.agency
    if contact is not None or country is not None:
        current = service.update_agency(
            shared.store, current, country=country, contact=contact, actor=shared.settings.actor
        )
    card = {"name": current.name, "country": current.country, "contact": current.contact}
    if as_json:
        print_json(card)
    else:
        console.print(f"{card['name']} ({card['country']}) contact: {card['contact'] or '-'}")


@app.command("open")
def open_(ctx: typer.Context, case: Annotated[str, typer.Argument(help="Case reference.")]) -> None:
    """Open a new case of the acting agency."""
    from interlink.services import cases as service

    shared = state(ctx)
    service.open_case(shared.store, case, shared.agency, actor=shared.settings.actor)
    console.print(f"opened case {case}")


@app.command("status")
def status(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case reference.")],
    value: Annotated[CaseStatus, typer.Argument(help="open or closed.")],
) -> None:
    """Open or close a case of the acting agency."""
    from interlink.services import cases as service

    shared = state(ctx)
    service.set_case_status(shared.store, case, value, shared.agency, actor=shared.settings.actor)
    console.print(f"case {case} is {value.value}")


def _found_json(found: service.Found) -> dict[str, Any]:
    return {"new_evidence": len(found.evidence), "new_hits": len(found.hits)}


@app.command("identifier")
def identifier(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="Case reference.")],
    kind: Annotated[
        IdentifierKind, typer.Argument(help="account, email, phone, ip, device, invite or url.")
    ],
    value: Annotated[str, typer.Argument(help="The identifier as met.")],
    service_name: Annotated[
        str | None,
        typer.Option("--service", help="Platform of an account, or type of a device id."),
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port of an IP.")] = None,
    seen: Annotated[
        datetime | None, typer.Option("--seen", help="When an IP was seen (ISO, with offset).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record an identifier met in a case: link other cases holding it, hit watches on it."""
    from interlink.services import cases as service

    shared = state(ctx)
    if seen is not None and seen.utcoffset() is None:
        raise InvalidFieldError("seen", seen.isoformat(), "give a UTC offset")
    found = service.add_identifier(
        shared.store,
        case,
        Identifier(kind, value, service_name, port, seen),
        shared.agency,
        actor=shared.settings.actor,
    )
    if as_json:
        print_json(_found_json(found))
    else:
        console.print(
            f"recorded: {len(found.evidence)} new link evidence, {len(found.hits)} watch hit(s)"
        )


@app.command("victim")
def victim(
    ctx: typer.Context,
    pseudonym: Annotated[str, typer.Argument(help="The victim's pseudonym (no name).")],
    status_: Annotated[
        VictimStatus | None,
        typer.Option("--status", help="Move an existing victim on to this status."),
    ] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case of a new victim.")] = None,
    series: Annotated[
        list[str] | None, typer.Option("--series", help="Series showing a new victim.")
    ] = None,
) -> None:
    """Record a victim (unidentified), or move one on with --status."""
    from interlink.services import victims

    shared = state(ctx)
    actor = shared.settings.actor
    if status_ is None:
        victims.add_victim(
            shared.store, pseudonym, shared.agency, case=case, series=series or (), actor=actor
        )
        console.print(f"victim {pseudonym} recorded (unidentified)")
        return
    moved = victims.advance_victim(shared.store, pseudonym, status_, shared.agency, actor=actor)
    console.print(f"victim {pseudonym} is {moved.status.value}")


@app.command("suspect")
def suspect(
    ctx: typer.Context,
    pseudonym: Annotated[str, typer.Argument(help="The suspect's pseudonym.")],
    status_: Annotated[
        SuspectStatus | None,
        typer.Option("--status", help="Move an existing suspect on to this status."),
    ] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case of a new suspect.")] = None,
) -> None:
    """Record a suspect (unidentified), or move one on with --status."""
    from interlink.services import victims

    shared = state(ctx)
    actor = shared.settings.actor
    if status_ is None:
        victims.add_suspect(shared.store, pseudonym, shared.agency, case=case, actor=actor)
        console.print(f"suspect {pseudonym} recorded (unidentified)")
        return
    moved = victims.advance_suspect(shared.store, pseudonym, status_, shared.agency, actor=actor)
    console.print(f"suspect {pseudonym} is {moved.status.value}")


def links(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="A case of the acting agency.")],
    as_json: JsonFlag = False,
) -> None:
    """Show what links CASE with other cases, the series it shows and its watch hits."""
    from interlink.services import case_links

    shared = state(ctx)
    view = case_links.case_links(shared.store, case, shared.agency)
    if as_json:
        print_json(view)
        return
    from rich.table import Table

    table = Table("Linked case", "Agency", "Country", "Contact", "Strength", "Evidence")
    for link in view["links"]:
        card = link["agency"] or {}
        table.add_row(
            link["case"],
            card.get("name", ""),
            card.get("country", ""),
            card.get("contact", ""),
            f"{link['strength']:.2f}",
            ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in link["counts"].items()),
        )
    console.print(table)
    for series in view["series"]:
        states = ", ".join(v["status"] for v in series["victims"]) or "no victim recorded"
        console.print(f"{series['media']} media show series {series['series']}: {states}")
    for hit in view["watch_hits"]:
        who = hit["agency"]
        verb = "hit a watch of" if hit["side"] == "hitter" else "watch hit by"
        console.print(
            f"{hit['items']} item(s) {verb} {who['name']} ({who['country']}), "
            f"{hit['priority']}: {hit['title']}; contact {who['contact'] or '-'}"
        )


@operation_app.command("create")
def operation_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Operation name.")],
    description: Annotated[str, typer.Option("--description", help="What it is.")] = "",
) -> None:
    """Create an operation."""
    from interlink.services import operations

    shared = state(ctx)
    operations.create_operation(
        shared.store, name, shared.agency, description=description, actor=shared.settings.actor
    )
    console.print(f"created operation {name}")


@operation_app.command("add")
def operation_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Operation name.")],
    case: Annotated[str, typer.Argument(help="A case of the acting agency.")],
) -> None:
    """Put a case of the acting agency in an operation."""
    from interlink.services import operations

    shared = state(ctx)
    added = operations.add_to_operation(
        shared.store, name, case, shared.agency, actor=shared.settings.actor
    )
    console.print(f"case {case} {'added to' if added else 'already in'} operation {name}")


@operation_app.command("show")
def operation_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Operation name.")],
    as_json: JsonFlag = False,
) -> None:
    """Show an operation's figures, cases and links."""
    from interlink.services import operations

    shared = state(ctx)
    view = operations.operation_view(shared.store, name, shared.agency)
    if as_json:
        print_json(view)
        return
    from rich.table import Table

    figures = Table(title=f"Operation {view['operation']}", show_header=False)
    labels = {
        "cases": "Cases",
        "agencies": "Agencies",
        "countries": "Countries",
        "series": "Series",
        "victims_identified": "Victims identified",
        "victims_safeguarded": "Victims safeguarded",
        "suspects_identified": "Suspects identified",
        "links": "Links between cases",
    }
    for key, label in labels.items():
        figures.add_row(label, str(view["figures"][key]))
    console.print(figures)
    table = Table("Case", "Agency", "Country")
    for row in view["cases"]:
        card = row["agency"] or {}
        table.add_row(row["case"], card.get("name", ""), card.get("country", ""))
    console.print(table)
    for group in view["clusters"]:
        console.print("linked: " + ", ".join(group))
