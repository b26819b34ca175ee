from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats._salvage import MAX_RAW, Salvage, extra_key, kept, raw_text
from interlink.formats.base import RecordWarning


def test_a_field_that_cannot_be_read_is_noted_and_read_as_absent() -> None:
    salvage = Salvage()
    assert salvage.flag("maybe", "Victim identified") is None
    assert salvage.integer(" 12 ", "count") == 12
    assert salvage.time("2020-01-01", "when") is not None
    assert salvage.text("x" * 10, "name", 4) is None
    assert [(f.field, f.raw) for f in salvage.failures] == [
        ("Victim identified", "maybe"),
        ("name", "xxxxxxxxxx"),
    ]
    assert "yes/no" in salvage.failures[0].reason


def test_raw_text_and_keys() -> None:
    assert raw_text(" 7 ") == "7" and raw_text({"a": [1]}) == '{"a":[1]}'
    assert len(raw_text("y" * (MAX_RAW + 5))) == MAX_RAW
    assert extra_key("icse", "Number of submissions") == "icse.number_of_submissions"
    assert extra_key("vics", "MediaFiles[0].Created") == "vics.mediafiles_0_created"


def test_kept_gives_the_entry_with_the_raw_text_then_one_warning_per_field() -> None:
    entry = ListEntry((Signal("md5", "0" * 32),), extra=(("agency", "NCA"),))
    salvage = Salvage()
    assert list(kept(entry, salvage.failures, "line 3", "csv")) == [entry]
    salvage.note("category", "category: bare", "1")
    salvage.note("empty", "empty: odd", "")
    found = list(kept(entry, salvage.failures, "line 3", "csv"))
    assert found == [
        ListEntry(entry.signals, extra=(("agency", "NCA"), ("csv.category", "1"))),
        RecordWarning("line 3", "category", "category: bare"),
        RecordWarning("line 3", "empty", "empty: odd"),
    ]
