import pytest

from interlink.domain.errors import FormatError
from interlink.domain.provenance import Layer, SourceRef, safe_name


def test_chain_display_and_round_trip() -> None:
    ref = SourceRef("E1").child("folder", "a/b.zip").child("zip", "inner/c.tar")
    ref = ref.child("tar", "x.jpg")
    assert ref.display() == "E1:a/b.zip!inner/c.tar!x.jpg"
    assert ref.depth == 3
    assert ref.name == "x.jpg"
    assert SourceRef.from_json(ref.to_json()) == ref
    assert SourceRef.from_key(ref.key()) == ref
    assert hash(ref) == hash(SourceRef.from_key(ref.key()))


def test_unknown_layer_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown layer kind"):
        Layer("floppy", "x")


def test_bad_key_is_a_format_error() -> None:
    with pytest.raises(FormatError):
        SourceRef.from_key("{not json")
    with pytest.raises(FormatError):
        SourceRef.from_json({"exhibit": "E"})


def test_safe_name_escapes_undecodable_bytes() -> None:
    assert safe_name(b"caf\xc3\xa9.jpg") == ("café.jpg", True)
    text, ok = safe_name(b"bad\xff.jpg")
    assert (text, ok) == ("bad\\xff.jpg", False)
    text, ok = safe_name("bad\udcff.jpg")
    assert (text, ok) == ("bad\\xff.jpg", False)
