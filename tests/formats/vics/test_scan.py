import io
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID

from interlink.domain.cases import Agency, Case
from interlink.domain.categories import Category
from interlink.domain.media import Media, MediaKind, Sighting
from interlink.domain.provenance import SourceRef
from interlink.domain.signals import Signal
from interlink.formats.vics import (
    VicsAltHash,
    VicsMedia,
    case_of_scan,
    media_of_scan,
    read_vics,
    relative_file_path,
    write_vics_case,
)

MEDIA = Media(
    sha256="c" * 64,
    md5="a" * 32,
    sha1="b" * 40,
    size=2048,
    media_type="image/png",
    kind=MediaKind.IMAGE,
    signals=(Signal("sha256", "c" * 64), Signal("pdq", "d" * 64, quality=90)),
)
WHEN = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


def test_a_scanned_media_becomes_a_vics_media_with_a_file_per_sighting() -> None:
    loose = Sighting(MEDIA.sha256, SourceRef("laptop").child("folder", "Users/x/a.png"), 2048, WHEN)
    zipped = Sighting(
        MEDIA.sha256,
        SourceRef("laptop").child("folder", "Users/x/photos.zip").child("zip", "inner/b.png"),
        2048,
    )
    media = media_of_scan(
        MEDIA,
        [loose, zipped],
        media_id=3,
        category=Category("projectvic-us", "0"),
        relative_path=relative_file_path(MEDIA, ".png"),
    )
    assert media.md5 == MEDIA.md5 and media.sha1 == MEDIA.sha1
    assert media.media_id == "3"
    assert media.relative_file_path == "Files\\" + "a" * 32 + ".png"
    assert media.alternative_hashes == (
        VicsAltHash("PDQ", "d" * 64),
        VicsAltHash("SHA256", "c" * 64),
    )
    first, second = media.files
    assert (first.file_name, first.file_path, first.written, first.source_id) == (
        "a.png",
        "Users/x/a.png",
        WHEN,
        "laptop",
    )
    assert first.parent_file_path is None
    assert (second.file_name, second.file_path) == ("b.png", "inner/b.png")
    assert (second.parent_file_path, second.parent_file_name) == (
        "Users/x/photos.zip",
        "photos.zip",
    )


def test_a_scanned_case_exports_as_vics_20_and_reads_back() -> None:
    case = Case(UUID(int=7), "OP-1")
    agency = Agency(UUID(int=1), "Example Unit", "GB", "unit@example.org")
    vics_case = case_of_scan(case, agency, "0.1.0")
    assert vics_case.case_id == str(UUID(int=7))
    assert vics_case.contact_organization == "Example Unit"
    media = media_of_scan(MEDIA, [], media_id=0, category=Category("projectvic-us", "1"))
    buffer = io.BytesIO()
    write_vics_case(vics_case, [media], buffer)
    buffer.seek(0)
    found = list(read_vics(buffer))
    read_media = found[1]
    assert isinstance(read_media, VicsMedia)
    assert read_media.category == Category("projectvic-us", "1")
    assert read_media.category_code == "1"
    assert read_media.alternative_hashes == media.alternative_hashes
    assert found[2] == replace(vics_case, media_count=1)
