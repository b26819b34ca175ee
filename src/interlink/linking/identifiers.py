"""The keys under which two cases' identifiers meet, built on the network module's
conservative normalisation (``interlink.network.identifiers``).

A key starts with its kind: ``email:``, ``phone:``, ``account:``, ``device:``, ``ip:``,
``invite:`` (a group invite link as ``invite:SERVICE:CODE``, given so or as the link itself; the
code is case-sensitive), ``url:`` (a web address, ``network.identifiers.url_key``). An IP
key is ``ip:ADDRESS|PORT`` (``-`` without a port); a watch may use ``ip:ADDRESS|*`` for any
port of an address.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from interlink.chats.invites import invite_value
from interlink.domain.cases import Identifier, IdentifierKind
from interlink.domain.reports import DeviceId
from interlink.network import identifiers as ids

#: The longest time between two sightings of one address and port that still point at one
#: subscriber (the network module's window: carriers reassign NAT ports within hours).
IP_WINDOW = timedelta(hours=6)
ANY_PORT = "*"


def ip_address(text: str) -> str:
    """An IP address in its compressed text form (IPv4-mapped IPv6 as IPv4)."""
    address = ipaddress.ip_address(text.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


def identifier_key(identifier: Identifier) -> str:
    """The normalised key of an identifier (see the module docstring)."""
    kind = identifier.kind
    if kind is IdentifierKind.EMAIL:
        return f"email:{ids.email_key(identifier.value)}"
    if kind is IdentifierKind.PHONE:
        return f"phone:{ids.phone_key(identifier.value)}"
    if kind is IdentifierKind.ACCOUNT:
        return f"account:{ids.account_key(identifier.service, identifier.value)}"
    if kind is IdentifierKind.INVITE:
        return f"invite:{invite_value(identifier.value)}"
    if kind is IdentifierKind.URL:
        return f"url:{ids.url_key(identifier.value)}"
    if kind is IdentifierKind.DEVICE:
        return f"device:{ids.device_key(DeviceId(identifier.service or '', identifier.value))}"
    port = "-" if identifier.port is None else str(identifier.port)
    return f"ip:{ip_address(identifier.value)}|{port}"


def watch_keys(identifier: Identifier) -> tuple[str, ...]:
    """Every key a watch may name this identifier by: its own key and, for an IP, the
    any-port key of its address."""
    key = identifier_key(identifier)
    if identifier.kind is IdentifierKind.IP:
        return key, any_port_key(key)
    return (key,)


def any_port_key(key: str) -> str:
    """``ip:ADDRESS|*`` for an IP key."""
    return f"{key.rsplit('|', 1)[0]}|{ANY_PORT}"


def same_subscriber(first: datetime | None, second: datetime | None) -> bool | None:
    """Whether two sightings of one IP and port are close enough in time to be one
    subscriber: ``True``/``False`` when both times are known, ``None`` when one is not."""
    if first is None or second is None:
        return None
    return abs(first - second) <= IP_WINDOW
