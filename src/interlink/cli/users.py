"""``interlink users`` and ``interlink tokens``: the accounts of a server node, managed from
its own shell (which acts as the node's local operator)."""

from __future__ import annotations

import sys
import uuid
from typing import Annotated, Any

import typer
from rich.table import Table

from interlink.cli.context import state
from interlink.cli.output import JsonFlag, console, print_json
from interlink.domain.errors import InvalidFieldError
from interlink.domain.principal import parse_roles, parse_scopes

app = typer.Typer(no_args_is_help=True, help="Users of a server node: add, list, disable, reset.")
tokens_app = typer.Typer(no_args_is_help=True, help="Personal API tokens: create, list, revoke.")

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def _read_password(enabled: bool) -> str | None:
    if not enabled:
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InvalidFieldError("password", "", "standard input held no password")
    return line


def _credentials_json(made: Any) -> dict[str, Any]:
    from interlink.services.accounts import user_card

    return {
        **user_card(made.user),
        "totp_secret": made.totp_secret,
        "totp_uri": made.totp_uri,
    }


def _show_credentials(made: Any, verb: str) -> None:
    console.print(f"{verb} user {made.user.name} of {made.user.agency}")
    if made.totp_secret is not None:
        console.print(f"TOTP secret (shown once, enrol it now): {made.totp_secret}")
        console.print(made.totp_uri)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (letters, digits, . _ @ + -).")],
    agency: Annotated[str, typer.Option("--agency", help="The user's agency (by name).")],
    role: Annotated[
        list[str], typer.Option("--role", help="Role; repeat for several.", show_default=False)
    ],
    password_stdin: PasswordStdin = False,
    as_json: JsonFlag = False,
) -> None:
    """Add a user of one agency with one or more roles."""
    from interlink.services import accounts

    shared = state(ctx)
    made = accounts.add_user(
        shared.store,
        shared.principal,
        name,
        agency=agency,
        roles=parse_roles(role),
        password=_read_password(password_stdin),
    )
    if as_json:
        print_json(_credentials_json(made))
    else:
        _show_credentials(made, "added")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the node's users."""
    from interlink.services import accounts

    shared = state(ctx)
    cards = [accounts.user_card(u) for u in accounts.list_users(shared.store, shared.principal)]
    if as_json:
        print_json(cards)
        return
    table = Table("User", "Agency", "Roles", "Disabled", "2FA")
    for card in cards:
        table.add_row(
            str(card["name"]),
            str(card["agency"]),
            ", ".join(card["roles"]),  # type: ignore[arg-type]
            "yes" if card["disabled"] else "",
            "yes" if card["second_factor"] else "",
        )
    console.print(table)


@app.command("disable")
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable a user: its sessions end and its tokens stop working."""
    from interlink.services import accounts

    shared = state(ctx)
    accounts.disable_user(shared.store, shared.principal, name)
    console.print(f"disabled user {name}")


@app.command("reset")
def reset(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: PasswordStdin = False,
    as_json: JsonFlag = False,
) -> None:
    """Clear a user's lockout, end its sessions, set a new password (from stdin) and, for
    roles that need one, a new TOTP secret."""
    from interlink.services import accounts

    shared = state(ctx)
    made = accounts.reset_user(
        shared.store, shared.principal, name, password=_read_password(password_stdin)
    )
    if as_json:
        print_json(_credentials_json(made))
    else:
        _show_credentials(made, "reset")


@tokens_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The user the token acts as.")],
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="Capability the token may use; repeat. Default: all."),
    ] = None,
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    days: Annotated[int, typer.Option("--days", help="Days until it expires.")] = 90,
    as_json: JsonFlag = False,
) -> None:
    """Create a personal API token (shown once; only its hash is stored)."""
    from interlink.services import authentication

    shared = state(ctx)
    token, secret = authentication.create_token(
        shared.store,
        shared.principal,
        user=name,
        label=label or name,
        scopes=parse_scopes(scope) if scope else None,
        days=days,
    )
    if as_json:
        print_json({**authentication.token_card(token), "token": secret})
    else:
        console.print(f"token {token.id} for {token.user}, expires {token.expires_at:%Y-%m-%d}")
        console.print(f"shown once: {secret}")


@tokens_app.command("list")
def list_tokens(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Argument(help="The user whose tokens to list (default: all).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the node's tokens, or one user's (never their secrets)."""
    from interlink.services import authentication

    shared = state(ctx)
    cards = [
        authentication.token_card(t)
        for t in authentication.list_tokens(shared.store, shared.principal, name)
    ]
    if as_json:
        print_json(cards)
        return
    table = Table("Id", "User", "Label", "Scopes", "Expires", "Revoked", "Last used")
    for card in cards:
        scopes = card["scopes"]
        table.add_row(
            str(card["id"]),
            str(card["user"]),
            str(card["label"]),
            "all" if scopes is None else ", ".join(scopes),  # type: ignore[arg-type]
            str(card["expires_at"])[:10],
            str(card["revoked_at"] or "")[:19],
            str(card["last_used_at"] or "")[:19],
        )
    console.print(table)


@tokens_app.command("revoke")
def revoke(
    ctx: typer.Context, token_id: Annotated[str, typer.Argument(help="The token's id.")]
) -> None:
    """Revoke a token."""
    from interlink.services import authentication

    try:
        ident = uuid.UUID(token_id)
    except ValueError:
        raise InvalidFieldError("token", token_id, "not a token id") from None
    shared = state(ctx)
    authentication.revoke_token(shared.store, shared.principal, ident)
    console.print(f"revoked token {ident}")


@app.command("idp")
def idp(
    ctx: typer.Context,
    agency: Annotated[str, typer.Argument(help="The agency whose users log in through it.")],
    issuer: Annotated[str, typer.Option("--issuer", help="The provider's issuer URL.")],
    client_id: Annotated[str, typer.Option("--client-id", help="This node's client id there.")],
    secret_stdin: Annotated[
        bool, typer.Option("--client-secret-stdin", help="Read the client secret from stdin.")
    ] = False,
) -> None:
    """Set an agency's OpenID Connect provider (its users then log in through it)."""
    from interlink.services import oidc_login

    shared = state(ctx)
    secret = sys.stdin.readline().strip() if secret_stdin else None
    oidc_login.configure(
        shared.store,
        shared.principal,
        agency,
        issuer=issuer,
        client_id=client_id,
        client_secret=secret or None,
    )
    console.print(f"agency {agency} logs in through {issuer}")
