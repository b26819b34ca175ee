from hypothesis import given
from hypothesis import strategies as st

from interlink.domain.reports import DeviceId
from interlink.network import identifiers as ids


def test_email_is_case_folded_and_stripped() -> None:
    assert ids.email_key("  Bob.Smith@EXAMPLE.org ") == "bob.smith@example.org"
    assert ids.email_key("bob.smith@example.org") != ids.email_key("bobsmith@example.org")


def test_phone_keeps_the_international_prefix_and_drops_punctuation() -> None:
    assert ids.phone_key("+49 (30) 123-45.67") == "+4930123456" + "7"
    assert ids.phone_key("0049 30 1234567") == "+49301234567"
    assert ids.phone_key("030 1234567") == "0301234567"
    assert ids.phone_key("+49 30 1234567") != ids.phone_key("030 1234567")


def test_accounts_are_per_platform() -> None:
    assert ids.account_key(" Chatly ", " 42 ") == "chatly/42"
    assert ids.account_key("Chatly", "42") != ids.account_key("PicShare", "42")
    assert ids.account_key(None, "42") == "unknown/42"
    assert ids.screen_name_key("Chatly", "Alpha") == ids.screen_name_key("chatly", "alpha")


def test_device_and_group_keys() -> None:
    assert ids.device_key(DeviceId("IMEI", "35-209900 176148-1")) == "imei:352099001761481"
    assert ids.group_key("Chatly", "g1") == "chatly/g1"
    assert ids.ip_key("198.51.100.1", None, "5") == "198.51.100.1|-|5"


@given(st.text())
def test_keys_are_idempotent(text: str) -> None:
    assert ids.email_key(ids.email_key(text)) == ids.email_key(text)
    assert ids.phone_key(ids.phone_key(text)) == ids.phone_key(text)


@given(st.from_regex(r"\+?[0-9]{6,14}", fullmatch=True), st.sampled_from([" ", "-", ".", "/"]))
def test_phone_separators_never_matter(number: str, separator: str) -> None:
    spaced = separator.join(number[i : i + 3] for i in range(0, len(number), 3))
    assert ids.phone_key(spaced) == ids.phone_key(number)
