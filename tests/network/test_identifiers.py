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


def test_url_keys_keep_only_what_tells_pages_apart() -> None:
    page = "files.example.org/a/B7x?k=1"
    for written in (
        "https://Files.Example.ORG/a/B7x?k=1",
        "http://files.example.org:80/a/B7x?k=1",
        "HTTPS://files.example.org.:443/a/B7x?k=1",
        "files.example.org/a/B7x?k=1",
    ):
        assert ids.url_key(written) == page
    assert ids.url_key("https://files.example.org/a/b7x?k=1") != page  # paths keep their case
    assert ids.url_key("example.org") == "example.org/"
    assert ids.url_key("ftp://Host/A") == "ftp://host/A"
    assert ids.url_key("http://[2001:DB8::1]:8080/x") == "[2001:db8::1]:8080/x"


@given(st.text(alphabet="aAbB.:/?#@[]-09 ", max_size=30))
def test_url_keys_are_idempotent(text: str) -> None:
    assert ids.url_key(ids.url_key(text)) == ids.url_key(text)
