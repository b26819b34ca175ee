import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlink.domain.errors import InvalidSignalError
from interlink.signals import lace, registry, zz40
from interlink.signals.base import Family
from interlink.signals.opaque import opaque_type

TOKEN_CHARS = "abcdefABCDEF0123456789+/=_-xyzXYZ"


def test_icse_vendor_hashes_are_registered_opaque_types() -> None:
    for module in (zz40, lace):
        assert registry.get(module.NAME) is module.TYPE
        assert module.TYPE.family is Family.OPAQUE
    assert zz40.NAME == "zz40"
    assert lace.NAME == "lace"


def test_opaque_values_are_kept_verbatim_but_trimmed() -> None:
    assert zz40.validate("  AbC+/9==  ") == "AbC+/9=="
    assert lace.validate("DEADbeef") == "DEADbeef"


@pytest.mark.parametrize("bad", ["", "   ", "two tokens", "semi;colon", "é", "a" * 4097])
def test_opaque_values_refuse_what_is_not_one_token(bad: str) -> None:
    with pytest.raises(InvalidSignalError):
        zz40.validate(bad)


def test_max_chars_is_enforced() -> None:
    short = opaque_type("short", max_chars=4)
    assert short.validate("abcd") == "abcd"
    with pytest.raises(InvalidSignalError):
        short.validate("abcde")


@given(st.text(alphabet=TOKEN_CHARS, min_size=1, max_size=64))
def test_validate_is_idempotent(token: str) -> None:
    once = zz40.validate(f" {token}\t")
    assert once == token
    assert zz40.validate(once) == once
