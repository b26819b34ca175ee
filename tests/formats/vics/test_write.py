import base64
import io
import json
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from interlink.domain.categories import Category
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats.base import ListInfo, ListRecord, RecordError, WriteReport
from interlink.formats.vics import (
    VicsAltHash,
    VicsCase,
    VicsIdentifier,
    VicsMedia,
    VicsMediaFile,
    VicsProperty,
    VicsSegment,
    media_of_entry,
    read_vics,
    read_vics_entries,
    write_vics_case,
    write_vics_hashset,
)
from interlink.media.synthetic import scene
from interlink.signals import orb
from tests.formats.strategies import md5_of, vics_entries


def round_trip(entries: list[ListEntry], version: str) -> list[ListRecord]:
    buffer = io.BytesIO()
    report = write_vics_hashset(entries, buffer, version=version)
    assert report == WriteReport(written=len(entries))
    buffer.seek(0)
    return [r for r in read_vics_entries(buffer) if not isinstance(r, ListInfo)]


@settings(max_examples=40)
@given(st.lists(vics_entries(), max_size=5), st.sampled_from(["1.1", "1.2", "1.3", "2.0"]))
def test_hash_sets_round_trip(entries: list[ListEntry], version: str) -> None:
    assert round_trip(entries, version) == entries


def test_1x_writes_odata_v3_and_2x_odata_v4() -> None:
    entry = ListEntry(
        signals=(Signal("md5", md5_of(1)),), external_id=md5_of(1), extra=(("media_size", "12"),)
    )
    for version, key, size in (("1.3", "odata.metadata", "12"), ("2.0", "@odata.context", 12)):
        buffer = io.BytesIO()
        write_vics_hashset([entry], buffer, version=version)
        doc = json.loads(buffer.getvalue())
        assert key in doc
        assert doc["value"][0]["MediaSize"] == size
    with pytest.raises(ValueError, match="not one of"):
        write_vics_hashset([entry], io.BytesIO(), version="3.0")


def test_photodna_is_written_in_base64_as_vics_tools_exchange_it() -> None:
    raw = bytes(range(144))
    entry = ListEntry(
        signals=(Signal("md5", md5_of(1)), Signal("photodna", raw.hex())), external_id=md5_of(1)
    )
    buffer = io.BytesIO()
    write_vics_hashset([entry], buffer)
    media = json.loads(buffer.getvalue())["value"][0]
    assert base64.b64decode(media["PhotoDNA"]) == raw


def test_what_a_profile_cannot_hold_is_reported() -> None:
    entries = [
        ListEntry(signals=(Signal("sha1", "a" * 40),)),
        ListEntry(signals=(Signal("md5", md5_of(1)),), category=Category("uk", "A")),
        ListEntry(signals=(Signal("md5", md5_of(2)),), category=Category("projectvic-us", "1")),
    ]
    buffer = io.BytesIO()
    assert write_vics_hashset(entries, buffer) == WriteReport(written=2, skipped=1, dropped=1)
    values = json.loads(buffer.getvalue())["value"]
    assert "Category" not in values[0]
    assert values[1]["Category"] == 1


def test_a_raw_category_of_another_profile_is_written_back_to_that_profile_only() -> None:
    entry = ListEntry(
        signals=(Signal("md5", md5_of(1)),),
        extra=(("vics.category", "2"), ("vics.profile", "UK")),
    )
    uk, us = media_of_entry(entry, "UK"), media_of_entry(entry, "US")
    assert uk is not None and uk.category_code == "2"
    assert us is not None and us.category_code is None


def full_media(md5: str) -> VicsMedia:
    when = datetime(2021, 2, 3, 4, 5, 6, 789000, UTC)
    return VicsMedia(
        md5=md5,
        case_index=0,
        media_id="0",
        sha1="b" * 40,
        photodna="0f" * 144,
        category_code="1",
        category=Category("projectvic-us", "1"),
        is_distributed=True,
        victim_identified=False,
        offender_identified=None,
        is_precategorized=True,
        is_suspected=False,
        precategorization_source="Project VIC",
        series='Series "quoted" ; ünï',
        tags="a,b",
        comments="line one\nline two",
        name="IMG_1.JPG",
        media_size=123,
        mime_type="image/jpeg",
        relative_file_path="Files\\IMG_1.JPG",
        date_updated=when,
        alternative_hashes=(
            VicsAltHash("SHA256", "c" * 64),
            VicsAltHash("PhotoDNA", "0f" * 144),
            VicsAltHash("VendorHash", "Opaque+Value=="),
        ),
        files=(
            VicsMediaFile(
                file_name="IMG_1.JPG",
                file_path="C:\\DCIM\\IMG_1.JPG",
                created=when,
                written=when,
                accessed=when,
                deleted=False,
                unallocated=True,
                source_id="E1",
                physical_location=2**40,
                parent_md5="d" * 32,
                parent_file_name="photos.zip",
                parent_file_path="C:\\photos.zip",
                parent_physical_location=7,
                extra=(("Custom", '{"k":[1,2]}'),),
            ),
        ),
        exifs=(VicsProperty("Make", "Example"), VicsProperty("Model", "")),
        metadata=(VicsProperty("Duration", "12.5"),),
        identifiers=(VicsIdentifier((("Type", "Email"), ("Value", "x@example.org"))),),
        segments=(VicsSegment(0, "00:00:00", "00:00:03", "1"), VicsSegment(1)),
        extra=(("Alert", '{"AlertTrigger":"t"}'),),
    )


@pytest.mark.parametrize("version", ["1.3", "2.0"])
def test_a_case_with_everything_round_trips(version: str) -> None:
    case = VicsCase(
        index=0,
        case_id="5b1f0f3e-0000-4000-8000-000000000001",
        case_number="C-1",
        contact_name="Name",
        contact_email="a@example.org",
        contact_phone="+44 0000",
        contact_title="DC",
        contact_organization="Unit",
        source_application_name="Interlink",
        source_application_version="0.1.0",
        declared_media_count=2,
        extra=(("CaseNotes", '"n"'),),
    )
    media = [full_media(md5_of(1)), VicsMedia(md5=md5_of(2), case_index=0)]
    buffer = io.BytesIO()
    assert write_vics_case(case, media, buffer, version=version) == WriteReport(written=2)
    buffer.seek(0)
    found = list(read_vics(buffer))
    assert isinstance(found[0], ListInfo) and found[0].get("kind") == "Cases"
    assert found[1:3] == media
    assert found[3] == replace(case, media_count=2)
    assert not any(isinstance(record, RecordError) for record in found)


def test_an_empty_case_is_valid_json() -> None:
    buffer = io.BytesIO()
    write_vics_case(VicsCase(index=0), [], buffer)
    doc = json.loads(buffer.getvalue())
    assert doc["value"] == [{"Media": []}]


@pytest.mark.parametrize("version", ["1.3", "2.0"])
def test_orb_values_travel_as_an_alternative_hash(version: str) -> None:
    value = orb.dumps(orb.extract(np.asarray(Image.fromarray(scene(240, 320, 3)).convert("L"))))
    entry = ListEntry((Signal("md5", "cd" * 16), Signal(orb.NAME, value)), external_id="cd" * 16)
    buffer = io.BytesIO()
    write_vics_hashset([entry], buffer, version=version)
    [media] = json.loads(buffer.getvalue())["value"]
    assert media["AlternativeHashes"][0]["HashName"] == "ORB"
    assert round_trip([entry], version) == [entry]
