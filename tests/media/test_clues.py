from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interlink.media.clues import extract_clues, parse_exif_time
from tests.media.exif_images import (
    canon_note,
    exif_block,
    jpeg_bytes,
    nikon_note,
    picture,
    png_with_text,
    with_exif,
)

GPS = {
    1: "S",
    2: (33.0, 51.0, 54.0),
    3: "E",
    4: (151.0, 12.0, 36.0),
    5: b"\x00",
    6: 58.5,
    7: (23.0, 4.0, 5.0),
    29: "2021:05:05",
}


@cache
def _camera_jpeg() -> bytes:
    image = picture()
    block = exif_block(
        ifd0={0x010F: "Canon", 0x0110: "Canon EOS 5D Mark IV", 0x0131: "Firmware 1.0.4"},
        exif={
            0x9003: "2021:05:06 09:04:05",
            0x9011: "+10:00",
            0x9291: "25",
            0xA431: "012345678901",
            0xA434: "EF24-70mm f/2.8L II USM",
            0xA435: "0000123456",
            0xA420: "f1e2d3c4b5a6978800112233445566",
            0xA430: "Owner Name",
            0x927C: canon_note(12345678),
        },
        gps=GPS,
        thumbnail=jpeg_bytes(picture().resize((160, 120))),
    )
    return with_exif(image, block)


def test_camera_fields_time_and_place() -> None:
    clues = extract_clues(_camera_jpeg())
    assert (clues.make, clues.model) == ("Canon", "Canon EOS 5D Mark IV")
    assert clues.body_serial == "012345678901"
    assert clues.camera_serial == "012345678901"
    assert (clues.lens_model, clues.lens_serial) == ("EF24-70mm f/2.8L II USM", "0000123456")
    assert clues.image_unique_id == "f1e2d3c4b5a6978800112233445566"
    assert (clues.software, clues.owner) == ("Firmware 1.0.4", "Owner Name")
    assert clues.maker_serials == (("Canon SerialNumber", "12345678"),)
    assert clues.captured is not None
    assert clues.captured.raw == "2021:05:06 09:04:05 +10:00"
    assert clues.captured.utc == datetime(2021, 5, 5, 23, 4, 5, 250000, tzinfo=UTC)
    assert clues.captured.source == "EXIF DateTimeOriginal"
    assert clues.gps is not None
    assert clues.gps.latitude == pytest.approx(-33.865)
    assert clues.gps.longitude == pytest.approx(151.21)
    assert clues.gps.altitude == 58.5
    assert clues.gps.time == datetime(2021, 5, 5, 23, 4, 5, tzinfo=UTC)
    sources = {item.name: item.source for item in clues.items}
    assert sources["body_serial"] == "EXIF IFD 0xa431"
    assert sources["maker_serial"] == "MakerNote Canon SerialNumber"
    assert clues.problems == ()


def test_matching_thumbnail_is_not_flagged() -> None:
    clues = extract_clues(_camera_jpeg())
    assert clues.thumbnail is not None
    assert (clues.thumbnail.width, clues.thumbnail.height) == (160, 120)
    assert clues.thumbnail.distance is not None and clues.thumbnail.distance <= 31
    assert not clues.thumbnail_differs
    assert len(clues.thumbnail.sha256) == 64


def test_thumbnail_of_another_picture_or_uncropped_original_is_flagged() -> None:
    main = picture()
    other = exif_block(thumbnail=jpeg_bytes(picture(seed=9).resize((160, 120))))
    flagged = extract_clues(with_exif(main, other))
    assert flagged.thumbnail_differs
    assert flagged.thumbnail is not None and "PDQ distance" in flagged.thumbnail.reason
    # The main image was cropped to a square; the thumbnail still shows the 4:3 original.
    cropped = main.crop((50, 0, 350, 300))
    uncropped = exif_block(thumbnail=jpeg_bytes(main.resize((160, 120))))
    crop_clues = extract_clues(with_exif(cropped, uncropped))
    assert crop_clues.thumbnail is not None and "shape" in crop_clues.thumbnail.reason


def test_letterboxed_thumbnail_keeps_its_shape() -> None:
    wide = picture(450, 300)
    thumb = picture(450, 300).resize((160, 107))
    boxed = picture(160, 120)
    boxed.paste((0, 0, 0), (0, 0, 160, 120))
    boxed.paste(thumb, (0, 6))
    clues = extract_clues(with_exif(wide, exif_block(thumbnail=jpeg_bytes(boxed, 95))))
    assert clues.thumbnail is not None
    assert not clues.thumbnail.differs, clues.thumbnail.reason


def test_nikon_serial_and_offsetless_time() -> None:
    block = exif_block(
        ifd0={0x010F: "NIKON CORPORATION", 0x0110: "NIKON D750"},
        exif={0x9003: "2019:12:31 23:59:59", 0x927C: nikon_note("3012345")},
    )
    clues = extract_clues(with_exif(picture(), block))
    assert clues.maker_serials == (("Nikon SerialNumber", "3012345"),)
    assert clues.camera_serial == "3012345"
    assert clues.captured is not None
    assert clues.captured.utc is None
    assert clues.captured.local == datetime(2019, 12, 31, 23, 59, 59)


def test_xmp_fields_and_history() -> None:
    xmp = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
      xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/"
        xmlns:aux="http://ns.adobe.com/exif/1.0/aux/"
        xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
        xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
        xmlns:dc="http://purl.org/dc/elements/1.1/"
        xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
        xmp:CreatorTool="Editor 7" aux:SerialNumber="998877"
        photoshop:DateCreated="2020-02-03T04:05:06+01:00">
        <dc:creator><rdf:Seq><rdf:li>A. Photographer</rdf:li></rdf:Seq></dc:creator>
        <xmpMM:History><rdf:Seq>
          <rdf:li stEvt:action="saved" stEvt:softwareAgent="Editor 7 (Windows)"/>
        </rdf:Seq></xmpMM:History>
      </rdf:Description></rdf:RDF></x:xmpmeta>"""
    clues = extract_clues(with_exif(picture(), exif_block(), xmp=xmp))
    assert clues.software == "Editor 7"
    assert clues.body_serial == "998877"
    assert clues.artist == "A. Photographer"
    assert ("xmpMM:History.stEvt:softwareAgent", "Editor 7 (Windows)") in clues.xmp
    assert clues.captured is not None
    assert clues.captured.utc == datetime(2020, 2, 3, 3, 5, 6, tzinfo=UTC)
    assert clues.captured.source == "XMP photoshop:DateCreated"


def test_hostile_xmp_is_a_problem_not_a_crash() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;</x>'
    clues = extract_clues(with_exif(picture(), exif_block(), xmp=bomb))
    assert clues.xmp == ()
    assert any(p.startswith("XMP") for p in clues.problems)


def test_png_text_chunks() -> None:
    clues = extract_clues(png_with_text(picture(), {"Comment": "made at home", "Author": "x"}))
    assert clues.png_text == (("Comment", "made at home"), ("Author", "x"))
    assert {i.name for i in clues.items} == {"png:Comment", "png:Author"}


def test_broken_metadata_gives_problems() -> None:
    bad_time = exif_block(exif={0x9003: "0000:00:00 00:00:00"}, gps={**GPS, 2: (91.0, 0.0, 0.0)})
    clues = extract_clues(with_exif(picture(), bad_time))
    assert clues.captured is None and clues.gps is None
    assert len(clues.problems) == 2
    zero = exif_block(gps={**GPS, 2: (0.0, 0.0, 0.0), 4: (0.0, 0.0, 0.0)})
    assert "0, 0 ignored" in extract_clues(with_exif(picture(), zero)).problems[0]
    assert extract_clues(b"not an image").problems[0].startswith("not a readable image")
    plain = extract_clues(jpeg_bytes(picture()))
    assert plain.items == () and plain.problems == () and plain.thumbnail is None


def test_reads_from_path(tmp_path: Path) -> None:
    path = tmp_path / "x.jpg"
    path.write_bytes(_camera_jpeg())
    assert extract_clues(path).body_serial == "012345678901"


@pytest.mark.parametrize(
    ("text", "offset", "utc"),
    [
        ("2020:01:02 03:04:05", "-05:30", datetime(2020, 1, 2, 8, 34, 5, tzinfo=UTC)),
        ("2020-01-02T03:04:05Z", None, datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2020:01:02 03:04:05", None, None),
    ],
)
def test_parse_exif_time(text: str, offset: str | None, utc: datetime | None) -> None:
    assert parse_exif_time(text, offset).utc == utc


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1999), st.integers(0, 255)), min_size=1, max_size=12))
def test_damaged_metadata_never_raises(damage: list[tuple[int, int]]) -> None:
    data = bytearray(_camera_jpeg())
    for position, value in damage:
        data[position] = value
    clues = extract_clues(bytes(data))
    assert isinstance(clues.problems, tuple)
