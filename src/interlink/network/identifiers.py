"""Normalised identifiers: the keys under which the same account, address or device met in
different reports (or on different platforms) becomes one node.

Each function returns the key and is pure. Normalisation is deliberately conservative: it
only removes differences that cannot distinguish two people (case in an e-mail address,
punctuation in a phone number), never guesses (no dropped dots in mailbox names, no assumed
country for a national phone number).
"""

from __future__ import annotations

import re

from interlink.domain.reports import DeviceId

_PHONE_NOISE = re.compile(r"[\s().\-/]")
_DEVICE_NOISE = re.compile(r"[\s:\-.]")
_SPACE = re.compile(r"\s+")


def service_key(esp_service: str | None) -> str:
    """A platform name, case-folded with runs of space collapsed (``unknown`` when absent)."""
    if not esp_service or not esp_service.strip():
        return "unknown"
    return _SPACE.sub(" ", esp_service.strip()).casefold()


def account_key(esp_service: str | None, esp_identifier: str) -> str:
    """``service/identifier``: the platform's own id is exact, so only space is stripped."""
    return f"{service_key(esp_service)}/{esp_identifier.strip()}"


def screen_name_key(esp_service: str | None, screen_name: str) -> str:
    """``service/@name`` for a user known only by a screen name (case-folded)."""
    return f"{service_key(esp_service)}/@{screen_name.strip().casefold()}"


def email_key(address: str) -> str:
    """An e-mail address stripped and case-folded."""
    return address.strip().casefold()


def phone_key(number: str) -> str:
    """An E.164-like key: ``+`` and digits when the number is international (``+`` or
    ``00``), the bare digits otherwise; punctuation and space are dropped."""
    text = _PHONE_NOISE.sub("", number.strip())
    text = re.sub(r"[^0-9+]", "", text)
    if text.startswith("00"):
        text = "+" + text[2:]
    international = text.startswith("+")
    digits = re.sub(r"\D", "", text)
    return ("+" if international else "") + digits


def device_key(device: DeviceId) -> str:
    """``type:value`` with the type case-folded and the value upper-cased without separators."""
    return f"{device.id_type.strip().casefold()}:{_DEVICE_NOISE.sub('', device.id_value).upper()}"


def group_key(esp_service: str | None, group_identifier: str) -> str:
    """``service/group``: a group id is only unique within its platform."""
    return f"{service_key(esp_service)}/{group_identifier.strip()}"


def ip_key(address: str, port: int | None, window: str) -> str:
    """``address|port|window``: the key of one IP window node (``-`` when there is no port)."""
    return f"{address}|{'-' if port is None else port}|{window}"


_DEFAULT_PORTS = {"http": "80", "https": "443"}


def url_key(url: str) -> str:
    """A web address as two mentions of one page meet: ``host/path?query#fragment``.

    The scheme and host are case-folded (they are case-insensitive), a host's trailing dot and
    the scheme's default port are dropped, an empty path is ``/``; a link written without a
    scheme (``example.org/p``) is a web link. ``http`` and ``https`` are one key (the same
    page by either); any other scheme stays in the key (``ftp://host/...``). The path, query
    and fragment are kept as written: they may be case-sensitive.
    """
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme or not scheme.replace("+", "").replace("-", "").isalnum():
        scheme, rest = "http", text
    scheme = scheme.casefold()
    split = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    host, tail = rest[:split], rest[split:]
    userinfo, at, hostport = host.rpartition("@")
    if hostport.startswith("["):  # an IPv6 address: the port follows the bracket
        end = hostport.find("]") + 1 or len(hostport)
        name, colon, port = hostport[:end], hostport[end : end + 1], hostport[end + 1 :]
    else:
        name, colon, port = hostport.partition(":")
    if colon and port == _DEFAULT_PORTS.get(scheme):
        colon, port = "", ""
    host = f"{userinfo}{at}{name.casefold().rstrip('.')}{colon}{port}"
    if not tail.startswith("/"):
        tail = "/" + tail
    if scheme in _DEFAULT_PORTS:
        return f"{host}{tail}"
    return f"{scheme}://{host}{tail}"
