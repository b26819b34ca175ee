from __future__ import annotations

import socket
from typing import Any

import pytest

from interlink.chats import identifiers
from interlink.chats.identifiers import extract, phone, region_of


def _pairs(text: str, region: str | None = None) -> set[tuple[str, str]]:
    return {(f.kind, f.value) for f in extract(text, region)}


def test_emails_mentions_and_urls() -> None:
    found = _pairs("mail Jo.Doe@Example.ORG or ping @night_owl; see https://Example.org/a?b=1.")
    assert ("email", "jo.doe@example.org") in found
    assert ("mention", "@night_owl") in found
    assert ("url", "https://example.org/a?b=1") in found
    assert not any(kind == "mention" and "example" in value for kind, value in found)


def test_bare_domains_need_a_public_suffix() -> None:
    assert ("url", "http://shop.example.co.uk/x") in _pairs("go to shop.example.co.uk/x now")
    assert not [p for p in _pairs("open notes.txt and photo.jpg") if p[0] == "url"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("join t.me/+AbCdEf123456", "telegram:AbCdEf123456"),
        ("https://t.me/joinchat/AAAAAEkk2WdoDrB4-Q8", "telegram:AAAAAEkk2WdoDrB4-Q8"),
        ("https://chat.whatsapp.com/KxYz1234567890AbCdEf", "whatsapp:KxYz1234567890AbCdEf"),
        ("discord.gg/abcXYZ", "discord:abcXYZ"),
        ("https://discord.com/invite/abcXYZ", "discord:abcXYZ"),
        ("https://signal.group/#CjQKIAb1cd2ef3", "signal:CjQKIAb1cd2ef3"),
    ],
)
def test_invite_links(text: str, value: str) -> None:
    assert ("invite", value) in _pairs(text)


def test_phone_e164_only_when_the_region_is_known() -> None:
    assert ("phone", "+33612345678") in _pairs("appelle le +33 6 12 34 56 78")
    assert ("phone", "+33612345678") in _pairs("appelle le 0033 6 12 34 56 78")
    with_region = [f for f in extract("appelle le 06 12 34 56 78", "FR") if f.kind == "phone"]
    assert [(f.value, f.e164) for f in with_region] == [("+33612345678", True)]
    without = [f for f in extract("appelle le 06 12 34 56 78") if f.kind == "phone"]
    assert [(f.value, f.e164) for f in without] == [("0612345678", False)]


def test_dates_times_and_amounts_are_not_phones() -> None:
    text = "on 12/01/2024 at 10:30 it cost 1234567 points, order 2024-01-12"
    assert not [p for p in _pairs(text, "GB") if p[0] == "phone"]


def test_phone_helpers() -> None:
    assert phone("+1 202 555 0143", None, marked=True) is not None
    assert phone("12", "GB") is None
    assert region_of("+33612345678") == "FR"
    assert region_of("not a number") is None


def test_export_entities_are_used() -> None:
    found = extract(
        "", None, [("email", "A@B.test"), ("mention", "@Kim_1"), ("url", "https://x.org")]
    )
    assert {(f.kind, f.value) for f in found} == {
        ("email", "a@b.test"),
        ("mention", "@kim_1"),
        ("url", "https://x.org"),
    }


def test_no_network_access_for_the_suffix_list(monkeypatch: pytest.MonkeyPatch) -> None:
    identifiers._extractor.cache_clear()

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert identifiers.known_suffix("example.co.uk")
    assert not identifiers.known_suffix("example.notatld")
    identifiers._extractor.cache_clear()
