"""``interlink peers`` and ``interlink node``: this node's identity and its peerings.

Heavy imports (cryptography, the store) happen inside the commands, so ``interlink --help``
stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from interlink.cli.context import state
from interlink.cli.output import JsonFlag, console, print_json

peers_app = typer.Typer(no_args_is_help=True, help="Peer nodes and the policy each is held to.")
node_app = typer.Typer(no_args_is_help=True, help="This node's identity.")


def _show(detail: dict[str, Any]) -> None:
    console.print(f"{detail['name']}  {detail['url']}")
    console.print(f"  fingerprint  {detail['fingerprint']}")
    console.print(f"  key seen     {'yes' if detail['key_seen'] else 'not yet'}")
    policy = detail["policy"]
    shared = ", ".join(f"{s['name']} ({s['disclosure']})" for s in policy["lists"]) or "none"
    console.print(f"  lists shared {shared}")
    overlap = policy["overlap"]
    console.print(f"  overlap      {overlap['mode']}, {overlap['per_day']} a day")
    deconfliction = policy["deconfliction"]
    console.print(
        f"  watches sent {deconfliction['send_watches']}, hits reported "
        f"{deconfliction['report_hits']}"
    )
    for pulled in detail["pulled"]:
        console.print(f"  pulled {pulled['list']} to change {pulled['cursor']}")


@peers_app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The peer node's base URL (https://...).")],
    fingerprint: Annotated[
        str, typer.Option("--fingerprint", help="SHA-256 of the peer's key, as it shows it.")
    ],
    policy: Annotated[
        Path,
        typer.Option(
            "--policy",
            help="Policy file: what this node lets flow to the peer.",
        ),
    ],
    name: Annotated[str | None, typer.Option("--name", help="Name of the peering.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Peer with the node at URL, pinned to its key's fingerprint, under a policy file."""
    from interlink.services import peers

    shared = state(ctx)
    text, _ = peers.read_policy_file(policy)
    record = peers.add_peer(
        shared.store, url, fingerprint, text, name=name, actor=shared.settings.actor
    )
    detail = peers.peer_document(shared.store, record)
    if as_json:
        print_json(detail)
    else:
        console.print(f"peer {record.name} added; run the same on {record.name} for this node")


@peers_app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Every peering."""
    from interlink.services import peers

    shared = state(ctx)
    details = [peers.peer_document(shared.store, r) for r in shared.store.peers.all()]
    if as_json:
        print_json(details)
        return
    table = Table("name", "url", "fingerprint", "lists shared", "overlap")
    for d in details:
        table.add_row(
            d["name"],
            d["url"],
            d["fingerprint"][:16] + "...",
            str(len(d["policy"]["lists"])),
            d["policy"]["overlap"]["mode"],
        )
    console.print(table)


@peers_app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The peering's name.")],
    as_json: JsonFlag = False,
) -> None:
    """One peering: pin, policy and how far its lists were pulled."""
    from interlink.services import peers

    shared = state(ctx)
    detail = peers.peer_document(shared.store, peers.get_peer(shared.store, name))
    if as_json:
        print_json(detail)
    else:
        _show(detail)


@peers_app.command("remove")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The peering's name.")],
    as_json: JsonFlag = False,
) -> None:
    """End a peering (lists already pulled from it stay)."""
    from interlink.services import peers

    shared = state(ctx)
    record = peers.remove_peer(shared.store, name, actor=shared.settings.actor)
    if as_json:
        print_json({"removed": record.name, "fingerprint": record.fingerprint})
    else:
        console.print(f"peer {record.name} removed")


@node_app.command("identity")
def identity(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """This node's fingerprints (created on first use): give the key fingerprint to partners
    for ``peers add --fingerprint``."""
    from interlink.federation.identity import CERT_FILE, KEY_FILE
    from interlink.services.peers import local_node

    settings = state(ctx).settings
    node = local_node(settings.home, settings.agency, settings.agency)
    folder = settings.home / "node"
    detail = {
        "name": node.name,
        "fingerprint": node.fingerprint,
        "certificate_fingerprint": node.identity.certificate_fingerprint,
        "key_file": str(folder / KEY_FILE),
        "certificate_file": str(folder / CERT_FILE),
    }
    if as_json:
        print_json(detail)
    else:
        console.print(f"node         {detail['name']}")
        console.print(f"fingerprint  {detail['fingerprint']}")
        console.print(f"certificate  {detail['certificate_fingerprint']} (SHA-256 of the DER)")
