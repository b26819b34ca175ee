"""``interlink audit``: read and verify the tamper-evident audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from interlink.cli.context import state
from interlink.cli.exit_codes import ExitCode
from interlink.cli.output import JsonFlag, console, print_json

app = typer.Typer(no_args_is_help=True, help="The tamper-evident audit log.")


@app.command("verify")
def verify(
    ctx: typer.Context,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint", help="An exported checkpoint whose head must be in the chain."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Recompute the audit chain and check every signed checkpoint (and an exported one);
    exit 9 if any record was changed, inserted, removed or the chain rewritten."""
    from interlink.services.audit import read_checkpoint, verify_node_audit

    shared = state(ctx)
    exported = read_checkpoint(checkpoint) if checkpoint is not None else None
    outcome = verify_node_audit(shared.store, shared.settings, exported)
    if as_json:
        print_json(outcome.to_json())
    elif outcome.ok:
        console.print(
            f"audit chain intact: {outcome.records} records, "
            f"{outcome.checkpoints} signed checkpoints verified\n"
            f"node key fingerprint: {outcome.key_fingerprint or 'none (no key file)'}",
            soft_wrap=True,
        )
    else:
        console.print(
            f"[red]audit chain broken[/red] at record {outcome.first_bad_id}: "
            f"{escape(outcome.reason)}",
            markup=True,
        )
        for problem in outcome.problems[1:]:
            console.print(f"  also: {problem}")
    if not outcome.ok:
        raise typer.Exit(ExitCode.DAMAGED)


@app.command("keygen")
def keygen(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Create the node's audit signing key (INTERLINK_AUDIT_KEY) if it has none; show its
    fingerprint."""
    from interlink.adapters.audit_key import ensure_key

    key, created = ensure_key(state(ctx).settings.audit_key_path)
    if as_json:
        print_json({"path": str(key.path), "fingerprint": key.fingerprint, "created": created})
    else:
        verb = "created" if created else "exists"
        console.print(f"audit key {verb}: {key.path}\nfingerprint: {key.fingerprint}")


@app.command("checkpoint")
def checkpoint(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Export the checkpoint to this file.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Sign the audit chain's head now (creating the node key on first use); with -o, export
    the signed checkpoint to keep elsewhere."""
    from interlink.adapters.audit_key import ensure_key
    from interlink.services.audit import checkpoint_now, write_checkpoint

    shared = state(ctx)
    key, _ = ensure_key(shared.settings.audit_key_path)  # refused before the store is opened
    document = checkpoint_now(shared.store, key)
    if output is not None:
        write_checkpoint(output, document)
    if as_json:
        print_json(document)
    else:
        made = document["checkpoint"]
        console.print(
            f"checkpoint {made['seq']}: record {made['record_id']} (#{made['count']})\n"
            f"hash {made['hash']}\nsigned by {made['key_fingerprint']}"
            + (f"\nwritten to {output}" if output else ""),
            soft_wrap=True,
        )


@app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="The JSON Lines file to write.")],
    as_json: JsonFlag = False,
) -> None:
    """Export the whole audit log (JSON Lines, chain order) for the stand-alone verifier:
    python -m interlink.audit_verifier LOG.jsonl CHECKPOINT.json."""
    import io

    from interlink.adapters.files import atomic_output
    from interlink.services.audit import export_log

    with atomic_output(output) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
        written = export_log(state(ctx).store, text)
        text.flush()
        text.detach()
    if as_json:
        print_json({"path": str(output), "records": written})
    else:
        console.print(f"{written} audit records written to {output}")


@app.command("log")
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", help="How many of the newest records.")] = 50,
    as_json: JsonFlag = False,
) -> None:
    """Show the newest audit records."""
    records = state(ctx).store.audit.records()[-limit:]
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "at": r.at.isoformat(),
                    "actor": r.actor,
                    "action": r.action,
                    "object_type": r.object_type,
                    "object_id": r.object_id,
                    "before": r.before,
                    "after": r.after,
                    "hash": r.hash,
                }
                for r in records
            ]
        )
        return
    table = Table("Id", "At", "Actor", "Action", "Object")
    for r in records:
        table.add_row(
            str(r.id),
            r.at.isoformat(timespec="seconds"),
            r.actor,
            r.action,
            f"{r.object_type} {r.object_id}",
        )
    console.print(table)
