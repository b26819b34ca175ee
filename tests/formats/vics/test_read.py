import codecs
import io
import json
from datetime import UTC, datetime

import pytest

from interlink.domain.categories import Category
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats.base import ListInfo, ListRecord, RecordError, RecordWarning
from interlink.formats.vics import (
    VicsCase,
    VicsMedia,
    VicsMediaFile,
    VicsProperty,
    VicsSegment,
    read_vics,
    read_vics_entries,
    write_vics_hashset,
)
from tests.formats.strategies import md5_of, simple_entries
from tests.formats.vics import samples


def entries_of(data: bytes) -> list[ListRecord]:
    return [r for r in read_vics_entries(io.BytesIO(data)) if not isinstance(r, ListInfo)]


def hash_set(*media: object, profile: str = "US") -> bytes:
    context = (
        f"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{profile}/$metadata#Media"
    )
    return json.dumps({"@odata.context": context, "value": list(media)}).encode()


def test_a_default_profile_hash_set_keeps_its_category_number_raw() -> None:
    records = list(read_vics_entries(io.BytesIO(samples.default_hash_set())))
    info, entry = records
    assert isinstance(info, ListInfo)
    assert info.get("version") == "2.0"
    assert info.get("profile") == "Default"
    assert info.get("kind") == "Media"
    assert entry == ListEntry(
        signals=(
            Signal("md5", samples.MD5_A.lower()),
            Signal("sha1", samples.SHA1_A.lower()),
        ),
        external_id=samples.MD5_A.lower(),
        extra=(
            ("media_id", "1"),
            ("media_size", "2835"),
            ("precategorized", "true"),
            ("updated", "2023-06-07T02:31:49.830000Z"),
            ("vics.category", "0"),
            ("vics.profile", "Default"),
        ),
    )


def test_a_us_profile_category_number_is_a_projectvic_category() -> None:
    data = hash_set({"MD5": md5_of(1), "Category": 1}, {"MD5": md5_of(2), "Category": None})
    first, second = entries_of(data)
    assert isinstance(first, ListEntry) and isinstance(second, ListEntry)
    assert first.category == Category("projectvic-us", "1")
    assert second.category is None


def test_a_custom_category_map_gives_meaning_to_other_profiles() -> None:
    data = hash_set({"MD5": md5_of(1), "Category": 1}, profile="UK")
    mapping = {"uk": {"1": Category("uk", "A")}}
    records = list(read_vics_entries(io.BytesIO(data), categories=mapping))
    assert isinstance(records[1], ListEntry)
    assert records[1].category == Category("uk", "A")


def test_a_qt_style_13_case_reads_with_its_header_after_its_media() -> None:
    records = list(read_vics(io.BytesIO(samples.qt_case_13())))
    info, media, case = records
    assert isinstance(info, ListInfo) and info.get("version") == "1.3"
    assert isinstance(media, VicsMedia)
    assert media.case_index == 0
    assert media.md5 == samples.MD5_A.lower()
    assert media.media_size == 2835
    assert media.category_code is None
    assert media.name == "IMG_0001.JPG"
    assert media.files == (
        VicsMediaFile(file_path="DCIM\\100APPLE\\IMG_0001.JPG", source_id="exhibit-1"),
    )
    assert media.files[0].name == "IMG_0001.JPG"
    assert ("Accessed", '"2019-01-02T03:04:05"') in media.extra
    assert not any("odata" in key for key, _ in media.extra)
    assert case == VicsCase(
        index=0,
        case_number="CASE-42",
        contact_name="A. Examiner",
        contact_organization="Example Constabulary",
        source_application_name="Exporter",
        declared_media_count=7,
        media_count=1,
    )


def test_a_uk_20_case_with_the_quirks_of_a_c_exporter() -> None:
    records = list(read_vics(io.BytesIO(samples.uk_case_20())))
    info, media, case = records
    assert isinstance(info, ListInfo) and info.get("profile") == "UK"
    assert isinstance(media, VicsMedia)
    assert media.category_code == "2"
    assert media.category is None  # the UK numbering is not public
    assert media.victim_identified is True and media.is_distributed is True
    assert media.date_updated == datetime(2024, 1, 2, 2, 4, 5, tzinfo=UTC)
    assert media.photodna == bytes.fromhex("000102" * 48).hex()
    (copy,) = media.files
    assert copy.file_path == "C:\\Users\\x\\a.jpg"
    assert copy.created == datetime(2020, 5, 6, 7, 8, 9, 123000, UTC)
    assert copy.unallocated is True
    assert copy.physical_location == 123456789012
    assert media.metadata == (VicsProperty("Camera", "X100"),)
    assert media.segments == (VicsSegment(0, "00:00:01", "00:00:05", "1"),)
    assert isinstance(case, VicsCase)
    assert case.case_id == "{0A1B2C3D-0000-0000-0000-000000000001}"
    assert case.contact_organization == "Example Police"
    assert case.media_count == 1


@pytest.mark.parametrize("form", ["utf-8-sig", "utf-16", "utf-16-be-bom"])
def test_byte_order_marks_and_utf16_are_read(form: str) -> None:
    text = samples.default_hash_set().decode()
    if form == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(form)
    assert len(entries_of(data)) == 1
    assert isinstance(entries_of(data)[0], ListEntry)


def test_a_bare_array_of_media_reads_too() -> None:
    data = json.dumps([{"MD5": md5_of(1)}, {"MD5": "bad"}]).encode()
    good, bad = entries_of(data)
    assert isinstance(good, ListEntry)
    assert isinstance(bad, RecordError) and bad.position == "$[1]" and "MD5" in bad.reason


def test_truncated_json_yields_every_good_record_then_one_fatal_error() -> None:
    entries = simple_entries(10)
    buffer = io.BytesIO()
    write_vics_hashset(entries, buffer)
    data = buffer.getvalue()
    cut = data.index(md5_of(7).encode()) + 5
    found = entries_of(data[:cut])
    assert found[:-1] == entries[:7]
    last = found[-1]
    assert isinstance(last, RecordError) and last.fatal
    assert last.position == "$.value[7]"


def test_truncated_case_files_end_with_one_fatal_error_too() -> None:
    data = samples.uk_case_20()
    found = list(read_vics(io.BytesIO(data[: data.index(b"MediaMetadata")])))
    assert isinstance(found[-1], RecordError) and found[-1].fatal
    assert found[-1].position == "$.value[0].Media[0]"


def test_bad_hashes_are_per_record_errors_and_good_records_are_kept() -> None:
    bad = [
        {"MD5": 12345},
        {"MD5": md5_of(5), "SHA1": "xyz"},
        {"MD5": md5_of(6), "PhotoDNA": "not base64 or hex"},
        {"SHA1": "a" * 40},
        "not an object",
        {"MD5": md5_of(7), "AlternativeHashes": [{"HashName": "MD5", "HashValue": md5_of(8)}]},
        {"MD5": "f" * 10_000_000},
    ]
    good = [{"MD5": md5_of(100 + n), "SHA1": f"{n:040x}"} for n in range(len(bad))]
    interleaved = [item for pair in zip(good, bad, strict=True) for item in pair]
    found = entries_of(hash_set(*interleaved))
    assert len(found) == 2 * len(bad)
    for index, record in enumerate(found):
        if index % 2 == 0:
            assert isinstance(record, ListEntry)
            assert record.external_id == md5_of(100 + index // 2)
        else:
            assert isinstance(record, RecordError), (index, record)
            assert record.position == f"$.value[{index}]"
            assert not record.fatal
    reasons = [record.reason for record in found[1::2] if isinstance(record, RecordError)]
    for expected, reason in zip(
        [
            "MD5",
            "SHA1",
            "PhotoDNA",
            "MD5: missing",
            "expected an object",
            "two different md5",
            "longer than",
        ],
        reasons,
        strict=True,
    ):
        assert expected in reason


def test_a_bad_optional_field_costs_the_field_not_the_media() -> None:
    """Issue 12: a media whose hashes are good is kept whatever else of it is wrong."""
    cases: list[tuple[dict[str, object], str, str]] = [
        ({"MD5": md5_of(2), "IsDistributed": "maybe"}, "IsDistributed", "yes/no"),
        ({"MD5": md5_of(3), "MediaFiles": "C:\\a.jpg"}, "MediaFiles", "expected an array"),
        ({"MD5": md5_of(4), "Category": 9}, "Category", "no code '9' in the US profile"),
        (
            {"MD5": md5_of(8), "MediaFiles": [{"MD5": md5_of(9), "FileName": "x"}]},
            "MediaFiles[0]",
            "names another media",
        ),
        ({"MD5": md5_of(9), "Series": "s" * (2 << 20)}, "Series", "longer than"),
        ({"MD5": md5_of(10), "DateUpdated": "last tuesday"}, "DateUpdated", "DateUpdated"),
    ]
    found = entries_of(hash_set(*(media for media, _, _ in cases)))
    entries = [record for record in found if isinstance(record, ListEntry)]
    warnings = [record for record in found if isinstance(record, RecordWarning)]
    assert len(found) == 2 * len(cases)
    assert [entry.external_id for entry in entries] == [media["MD5"] for media, _, _ in cases]
    assert [(w.position, w.field) for w in warnings] == [
        (f"$.value[{index}]", field) for index, (_, field, _) in enumerate(cases)
    ]
    for warning, (_, _, reason) in zip(warnings, cases, strict=True):
        assert reason in warning.reason
    assert entries[0].distributed is None and ("vics.isdistributed", "maybe") in entries[0].extra
    # The number is kept with its profile, so a US file written again carries it back.
    assert entries[2].category is None
    assert {("vics.category", "9"), ("vics.profile", "US")} <= set(entries[2].extra)
    assert entries[5].extra == (("vics.dateupdated", "last tuesday"),)
    # The rich view keeps the media too, with the unread value as the file had it.
    rich = [r for r in read_vics(io.BytesIO(hash_set(cases[0][0]))) if not isinstance(r, ListInfo)]
    media, last = rich
    assert isinstance(media, VicsMedia) and media.is_distributed is None
    assert ("IsDistributed", '"maybe"') in media.extra
    assert isinstance(last, RecordWarning) and last.field == "IsDistributed"


def test_category_numbers_of_an_unpublished_profile_read_in_the_scheme_the_caller_names() -> None:
    data = hash_set(
        {"MD5": md5_of(1), "Category": 2}, {"MD5": md5_of(2), "Category": 7}, profile="UK"
    )
    plain = entries_of(data)
    assert [type(r).__name__ for r in plain] == ["ListEntry", "ListEntry"]
    named = [
        r
        for r in read_vics_entries(io.BytesIO(data), category_scheme="projectvic-us")
        if not isinstance(r, ListInfo)
    ]
    first, second, warning = named
    assert isinstance(first, ListEntry) and first.category == Category("projectvic-us", "2")
    assert isinstance(second, ListEntry) and second.category is None
    assert isinstance(warning, RecordWarning)
    assert "no code '7' in the projectvic-us scheme" in warning.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not a JSON"),
        (b"   hello", "not a JSON"),
        (b'{"@odata.context":"x","value":{"MD5":"a"}}', "value is not an array"),
        (b'{"@odata.context":"x"}', "no value array"),
        (b'{"value":[{"MD5":"' + md5_of(1).encode() + b'"}', "breaks off"),
    ],
)
def test_stream_level_failures_end_with_one_fatal_error(data: bytes, reason: str) -> None:
    found = [r for r in read_vics(io.BytesIO(data)) if isinstance(r, RecordError)]
    assert len(found) == 1
    assert found[0].fatal and reason in found[0].reason


def test_an_empty_value_array_is_an_empty_list() -> None:
    assert entries_of(hash_set()) == []


def test_a_case_whose_media_is_not_an_array_is_an_error_for_that_case() -> None:
    doc = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases",
        "value": [
            {"CaseNumber": "1", "Media": {"MD5": md5_of(1)}},
            {"CaseNumber": "2", "Media": [{"MD5": md5_of(2)}, 7]},
        ],
    }
    found = list(read_vics(io.BytesIO(json.dumps(doc).encode())))[1:]
    assert isinstance(found[0], RecordError) and found[0].position == "$.value[0].Media"
    assert isinstance(found[1], VicsCase) and found[1].case_number == "1"
    assert isinstance(found[2], VicsMedia) and found[2].case_index == 1
    assert found[3] == RecordError("$.value[1].Media[1]", "a media must be a JSON object")
    assert isinstance(found[4], VicsCase) and found[4].media_count == 2


def test_case_files_give_entries_in_the_hash_set_view() -> None:
    found = entries_of(samples.uk_case_20())
    assert len(found) == 1
    entry = found[0]
    assert isinstance(entry, ListEntry)
    assert {signal.type for signal in entry.signals} == {"md5", "photodna"}
    assert entry.series == "Series X"
    assert ("vics.category", "2") in entry.extra and ("vics.profile", "UK") in entry.extra


def test_shapes_without_a_context_are_told_from_their_content() -> None:
    case = json.dumps({"value": [{"CaseID": "c", "Media": [{"MD5": md5_of(1)}]}]}).encode()
    found = list(read_vics(io.BytesIO(case)))
    assert isinstance(found[1], VicsMedia) and isinstance(found[2], VicsCase)
    media = json.dumps({"value": [{"MD5": md5_of(1)}]}).encode()
    found = list(read_vics(io.BytesIO(media)))
    assert isinstance(found[1], VicsMedia) and found[1].case_index is None


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deep_nesting_is_refused_before_the_parser_sees_it(depth: int) -> None:
    deep = "[" * depth + "]" * depth
    good = f'{{"MD5":"{md5_of(1)}","Series":"[[[[ not nesting \\" [["}}'
    data = f'{{"value":[{good},{{"MD5":"{md5_of(2)}","X":{deep}}}]}}'.encode()
    found = entries_of(data)
    assert isinstance(found[0], ListEntry) and found[0].series == '[[[[ not nesting " [['
    assert isinstance(found[-1], RecordError) and found[-1].fatal
    assert "nested deeper than 64" in found[-1].reason
    case = f'{{"@odata.context":"#Cases","value":[{{"Media":[{deep}]}}]}}'.encode()
    errors = [r for r in read_vics(io.BytesIO(case)) if isinstance(r, RecordError)]
    assert errors[-1].fatal and "nested deeper than 64" in errors[-1].reason
    assert not any(error.fatal for error in errors[:-1])
