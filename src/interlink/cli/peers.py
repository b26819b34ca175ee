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
    console.print(f"  op. figures  {policy['operations']['share_figures']} (shared with it)")
    for pulled in detail["pulled"]:
        console.print(f"  pulled {pulled['list']} to change {pulled['cursor']}")
    for joined in detail.get("operations", []):
        console.print(
            f"  operation {joined['operation']} joined as {joined['reference']}, figures "
            + (f"received {joined['received_at']}" if joined["received_at"] else "not yet received")
        )
    for owed in detail.get("exchanges", []):
        console.print(
            f"  {owed['kind']}: {owed['state']} after {owed['attempts']} attempt(s)"
            + (f", last error {owed['last_error']}" if owed["last_error"] else "")
        )


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
    """Peer with the node at URL, pinned to its key's fingerprint, under a policy file; then
    say hello to it (the peering is mutual once it has run the same for this node; until
    then the hello is queued and retried)."""
    from interlink.services import federation_outbox, peers

    shared = state(ctx)
    text, _ = peers.read_policy_file(policy)
    record = peers.add_peer(
        shared.store, url, fingerprint, text, name=name, actor=shared.settings.actor
    )
    node = _local_node(ctx)
    federation_outbox.enqueue(shared.store, record, federation_outbox.HELLO)
    outcomes = federation_outbox.run_due(shared.store, node, peer=record)
    detail = peers.peer_document(shared.store, peers.get_peer(shared.store, record.name))
    waiting = next((o.error for o in outcomes if o.state != "done"), None)
    detail["mutual"] = waiting is None and bool(outcomes)
    if as_json:
        print_json(detail)
    elif detail["mutual"]:
        console.print(f"peer {record.name} added; the peering is mutual")
    else:
        console.print(
            f"peer {record.name} added; waiting for it to add this node "
            f"(fingerprint {node.fingerprint}); the hello is retried"
        )


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


def _local_node(ctx: typer.Context) -> Any:
    from interlink.services.peers import local_node

    settings = state(ctx).settings
    return local_node(settings.home, settings.agency, settings.agency)


@peers_app.command("sync")
def sync(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="The peering to pull from (default: every peer).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Pull the lists peers share with this node now (a peer that cannot be reached is
    retried with backoff by the server's federation worker)."""
    from interlink.services import federation_outbox, peers

    shared = state(ctx)
    chosen = [peers.get_peer(shared.store, name)] if name else shared.store.peers.all()
    outcomes = federation_outbox.sync(shared.store, _local_node(ctx), chosen)
    if as_json:
        print_json([o.document() for o in outcomes])
        return
    for o in outcomes:
        if o.state == "done":
            console.print(f"{o.peer}: {o.kind} done {o.detail}")
        else:
            console.print(f"{o.peer}: {o.kind} {o.state} ({o.error})")


@peers_app.command("overlap")
def overlap(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(help="The case whose media are compared.")],
    peer: Annotated[
        str | None, typer.Option("--peer", help="Ask only this peer (default: every peer).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Ask peers privately which media of CASE they hold, and whom to contact (PSI: the
    case's hashes are never sent in the clear; what is learnt is each peer's policy's)."""
    from interlink.services import federation_queries, peers

    shared = state(ctx)
    chosen = [peers.get_peer(shared.store, peer)] if peer else shared.store.peers.all()
    answers = federation_queries.ask_peers(
        shared.store, _local_node(ctx), chosen, case, actor=shared.settings.actor
    )
    if as_json:
        print_json(answers)
        return
    for answer in answers:
        if "refused" in answer or "unavailable" in answer:
            why = answer.get("refused") or answer.get("unavailable")
            console.print(f"{answer['peer']}: no answer ({why})")
            continue
        console.print(f"{answer['peer']}: holds {answer['shared']} of {answer['items']} media")
        for match in answer["matches"]:
            contacts = ", ".join(f"{c['agency']} ({c['reference']})" for c in match["contacts"])
            console.print(f"  {match['sha256'][:16]}... via {match['via']}: {contacts or '-'}")


@peers_app.command("hits")
def hits(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Hits partners reported on this node's watches (as each watch's disclosure allows)."""
    from interlink.services.federation_watches import reported_hits

    found = reported_hits(state(ctx).store)
    if as_json:
        print_json(found)
        return
    table = Table("peer", "watch", "agency", "case", "items", "received")
    for hit in found:
        table.add_row(
            hit["peer"],
            hit.get("title") or hit["watch"][:8],
            (hit.get("agency") or {}).get("name", ""),
            hit.get("case") or "-",
            str(hit.get("items", "")),
            hit["received_at"][:19],
        )
    console.print(table)


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
