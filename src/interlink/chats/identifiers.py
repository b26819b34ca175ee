"""Identifiers in message text: phone numbers, e-mail addresses, URLs, group invite links
(Telegram, WhatsApp, Discord, Signal) and @mentions. Pure; nothing is fetched.

- A phone number is stored in E.164 (``+447700900123``) only when its country is known: from
  the number itself (``+``/``00``), or from the region of the export or of ``--region``;
  otherwise it is kept as its national digits with ``e164`` false (never a guessed country).
  Numbers are validated with ``phonenumbers``.
- A bare domain (``example.org/page``) counts as a URL only when its suffix is in the Public
  Suffix List; the list is the snapshot bundled with ``tldextract`` (no fetch, no cache).
- An invite link's value is ``service:code`` (``telegram:AbCdEf``), the key under which two
  seizures holding the same group's link meet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
import tldextract

from interlink.chats.invites import invites
from interlink.network import identifiers as ids

KINDS = ("phone", "email", "url", "invite", "mention")

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"
)
_MENTION = re.compile(r"(?<![\w@./])@([A-Za-z][A-Za-z0-9_]{2,31})\b")
_URL = re.compile(r"(?:(?:https?|tg)://|www\.)[^\s<>\"'()\[\]{}]+", re.I)
_BARE = re.compile(
    r"(?<![\w@/.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(/[^\s<>\"'()\[\]{}]*)?",
    re.I,
)
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d \t().\-/]{5,18}\d(?!\w)")
_TRAILING = ".,;:!?)]}>'\""
#: Cheap necessary conditions, tested before the patterns they guard: a digit (a phone needs
#: seven), a dot followed by a letter or digit (a bare domain), a scheme or ``www.`` (a URL);
#: ``chats.invites`` tests for the host of an invite link.
_DIGIT = re.compile(r"\d")
_DOTTED = re.compile(r"\.[A-Za-z0-9]")


@dataclass(frozen=True, slots=True)
class Found:
    """An identifier: ``kind`` (one of ``KINDS``), its normalised ``value``, the ``text`` as
    written, and for a phone whether ``value`` is E.164."""

    kind: str
    value: str
    text: str
    e164: bool = False


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    """The Public Suffix List bundled with ``tldextract``: no URL to fetch, no cache on disk."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def known_suffix(host: str) -> bool:
    """Whether ``host`` ends in a public suffix and has a registrable domain."""
    result = _extractor()(host)
    return bool(result.suffix and result.domain)


def _url_value(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "http", text
    host, slash, path = rest.partition("/")
    return f"{scheme.casefold()}://{host.casefold()}{slash}{path}"


def phone(text: str, region: str | None, *, marked: bool = False) -> Found | None:
    """A phone number written as ``text``; ``region`` is the country assumed for a national
    number (``None``: unknown). ``None`` when it is not a valid number (for a number the
    export itself ``marked`` as one, when it is not a possible number)."""
    digits = re.sub(r"\D", "", text)
    international = text.lstrip().startswith(("+", "00"))
    if not 7 <= len(digits) <= 15:
        return None
    if international or region:
        return _parsed(text, region, marked)
    if len(digits) < 9 or not digits.startswith("0"):
        return None  # without a country only trunk-prefixed national numbers are taken
    return Found("phone", ids.phone_key(text), text, False)


@lru_cache(maxsize=8192)
def _parsed(text: str, region: str | None, marked: bool) -> Found | None:
    """``phone`` of a number ``phonenumbers`` must read (cached, the costly part: the most
    recent numbers only, so that memory stays bounded however long the export)."""
    digits = re.sub(r"\D", "", text)
    international = text.lstrip().startswith(("+", "00"))
    try:
        number = phonenumbers.parse(
            "+" + digits[2:] if text.lstrip().startswith("00") else text,
            None if international else region.upper() if region else None,
        )
    except phonenumbers.NumberParseException:
        return None
    check = phonenumbers.is_possible_number if marked else phonenumbers.is_valid_number
    if not check(number):
        return None
    value = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Found("phone", value, text, True)


def region_of(number: str) -> str | None:
    """The region of an international number (``+44...``), or ``None``."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(parsed)
    return None if region in (None, "ZZ", "001") else region


def extract(
    text: str, region: str | None = None, entities: Iterable[tuple[str, str]] = ()
) -> list[Found]:
    """Every identifier in ``text`` and in the export's own ``entities``, each once."""
    found: dict[tuple[str, str], Found] = {}

    def add(item: Found | None) -> None:
        if item is not None:
            found.setdefault((item.kind, item.value), item)

    for kind, written in entities:
        if kind == "phone":
            add(phone(written, region, marked=True))
        elif kind == "email":
            add(Found("email", ids.email_key(written), written))
        elif kind == "mention" and written.startswith("@"):
            add(Found("mention", written.casefold(), written))
        elif kind == "url":
            _links(written, add)
    if "@" in text:
        emails = list(_EMAIL.finditer(text))
        for match in emails:
            add(Found("email", ids.email_key(match.group(0)), match.group(0)))
        for match in _MENTION.finditer(text):
            if not any(m.start() <= match.start() < m.end() for m in emails):
                add(Found("mention", match.group(0).casefold(), match.group(0)))
    if "." in text or "tg://" in text:
        _links(text, add)
    if _DIGIT.search(text) and len(_DIGIT.findall(text)) >= 7:
        for match in _PHONE.finditer(text):
            add(phone(match.group(0).strip(), region))
    return list(found.values())


def _links(text: str, add: Callable[[Found | None], None]) -> None:
    for value, written in invites(text):
        add(Found("invite", value, written))
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    if "://" in text or "www." in lowered:
        for match in _URL.finditer(text):
            written = match.group(0).rstrip(_TRAILING)
            spans.append((match.start(), match.end()))
            add(Found("url", _url_value(written), written))
    if not _DOTTED.search(text):
        return
    for match in _BARE.finditer(text):
        if (
            any(a <= match.start() < b for a, b in spans)
            or "@" in text[max(0, match.start() - 1) : match.start()]
        ):
            continue
        host = match.group(1)
        if host.replace(".", "").isdigit() or not known_suffix(host):
            continue
        written = match.group(0).rstrip(_TRAILING)
        add(Found("url", _url_value(written), written))
