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
