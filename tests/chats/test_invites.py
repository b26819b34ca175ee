from __future__ import annotations

from interlink.chats.invites import invite_value, invites
from interlink.domain.cases import Identifier, IdentifierKind
from interlink.linking.deconfliction import TriggerKind, trigger_value
from interlink.linking.identifiers import identifier_key


def test_an_invite_given_as_a_link_or_as_service_and_code_is_one_key() -> None:
    for written in (
        "https://t.me/+AbCdEfGh1234",
        "t.me/joinchat/AbCdEfGh1234",
        "tg://join?invite=AbCdEfGh1234",
        "Telegram:AbCdEfGh1234",
    ):
        assert invite_value(written) == "telegram:AbCdEfGh1234"
        key = identifier_key(Identifier(IdentifierKind.INVITE, written))
        assert key == "invite:telegram:AbCdEfGh1234"
        assert trigger_value(TriggerKind.INVITE, written) == key
    assert invite_value("telegram:abcdefgh1234") != invite_value("telegram:AbCdEfGh1234")


def test_every_service_of_invite_links() -> None:
    text = (
        "chat.whatsapp.com/InviteCode123 discord.gg/abc-9 "
        "https://signal.group/#CjQKIAbcdefghij and nothing at t.me/someone"
    )
    assert [value for value, _ in invites(text)] == [
        "whatsapp:InviteCode123",
        "discord:abc-9",
        "signal:CjQKIAbcdefghij",
    ]


def test_a_url_watch_names_the_page_whatever_its_scheme() -> None:
    assert trigger_value(TriggerKind.URL, "HTTPS://Example.org/p/1") == "url:example.org/p/1"
    assert identifier_key(Identifier(IdentifierKind.URL, "http://example.org/p/1")) == (
        "url:example.org/p/1"
    )
