"""``interlink chats``: import chat exports, rank conversations by grooming risk, list the
identifiers they name, and open one conversation's full text (audited)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interlink.cli.context import state
from interlink.cli.output import JsonFlag, console, errors, print_json

app = typer.Typer(no_args_is_help=True, help="Chat evidence: exports of messaging apps and UFDR.")
CaseOption = Annotated[str, typer.Option("--case", help="The case.")]
FORMATS = ("auto", "telegram", "whatsapp", "discord", "messenger", "instagram", "ufdr")


@app.command("import")
def import_chats(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="An export file, a zip, or a folder (recursive).")],
    case: Annotated[str, typer.Option("--case", help="Case to import into (created if new).")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="auto, telegram, whatsapp, discord, messenger, instagram or ufdr."
        ),
    ] = "auto",
    region: Annotated[
        str | None,
        typer.Option("--region", help="ISO country of national phone numbers (e.g. GB)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Scan workers for attachments (0: in-process).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Import chats: conversations, participants, messages, attachments (hashed and matched
    like scanned files), identifiers and grooming-risk cues. Bad input is listed; the rest
    is imported. Importing the same export again adds nothing."""
    from interlink.domain.cases import country_code
    from interlink.domain.chats import ChatFormat
    from interlink.services.chats import import_chats as run
    from interlink.services.scan import ScanOptions

    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format is one of {', '.join(FORMATS)}")
    shared = state(ctx)
    options = ScanOptions(
        workers=shared.settings.workers if workers is None else workers,
        index_cache=shared.settings.home / "indexes",
    )
    result = run(
        shared.store,
        path,
        case=case,
        agency=shared.agency,
        fmt=None if fmt == "auto" else ChatFormat(fmt),
        region=country_code(region) if region else None,
        actor=shared.settings.actor,
        scan=options,
    )
    if as_json:
        print_json(result.counts())
        return
    for problem in result.problems:
        errors.print(f"problem: {problem.display()}")
    for limit in result.limits:
        console.print(f"limit: {limit.source}: {limit.limit}", highlight=False)
    counts = result.counts()
    console.print(", ".join(f"{value} {name}" for name, value in counts.items()), highlight=False)


@app.command("list")
def list_conversations(ctx: typer.Context, case: CaseOption, as_json: JsonFlag = False) -> None:
    """Conversations of a case, highest grooming risk first, with the cue spans (message
    text stays collapsed; ``chats show`` opens it, audited)."""
    from rich.table import Table

    from interlink.services.chat_views import conversation_list

    shared = state(ctx)
    rows = conversation_list(shared.store, case, shared.agency)
    if as_json:
        print_json(rows)
        return
    table = Table("Id", "Platform", "Participants", "Messages", "Risk", "Cues")
    for row in rows:
        cues = row["risk"]["cues"]
        shown = "; ".join(f"{c['cue']}: {c['text']}" for c in cues[:4])
        more = f" (+{len(cues) - 4})" if len(cues) > 4 else ""
        table.add_row(
            str(row["id"]),
            row["platform"],
            ", ".join(row["participants"][:4]),
            str(row["messages"]),
            f"{row['risk']['score']:.2f}",
            shown + more,
        )
    console.print(table)


@app.command("identifiers")
def identifiers(ctx: typer.Context, case: CaseOption, as_json: JsonFlag = False) -> None:
    """Phone numbers, e-mails, URLs, invite links and @mentions met in a case's chats."""
    from rich.table import Table

    from interlink.services.chat_views import identifier_list

    shared = state(ctx)
    rows = identifier_list(shared.store, case, shared.agency)
    if as_json:
        print_json(rows)
        return
    table = Table("Kind", "Value", "Conversations", "Messages")
    for row in rows:
        table.add_row(
            row["kind"], row["value"], str(len(row["conversations"])), str(len(row["messages"]))
        )
    console.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    conversation: Annotated[int, typer.Argument(help="Conversation id (from chats list).")],
    case: CaseOption,
    as_json: JsonFlag = False,
) -> None:
    """Open a conversation's full text. Audited, like revealing an image."""
    from interlink.services.chat_views import open_conversation

    shared = state(ctx)
    found = open_conversation(
        shared.store, case, conversation, shared.agency, actor=shared.settings.actor
    )
    if as_json:
        print_json(found)
        return
    console.print(f"{found['platform']}: {found['title'] or ''}", highlight=False)
    for message in found["messages"]:
        when = message["sent_at"] or message["time_text"]
        who = message["sender_name"] or message["sender"] or "(service)"
        console.print(f"[{when}] {who}: {message['text']}", highlight=False, markup=False)
