from interlink.domain.errors import FormatError
from interlink.formats.base import ListInfo, RecordError


def test_record_errors_display_and_raise_with_their_position() -> None:
    error = RecordError("line 7", "no hash in the row")
    assert error.display() == "line 7: no hash in the row"
    raised = error.as_error()
    assert isinstance(raised, FormatError)
    assert (raised.position, raised.reason) == ("line 7", "no hash in the row")
    assert not error.fatal


def test_list_info_answers_by_key() -> None:
    info = ListInfo((("format", "vics"), ("profile", "US")))
    assert info.get("profile") == "US"
    assert info.get("version") is None
