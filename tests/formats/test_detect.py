import codecs
import io

import pytest

from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats import detect
from interlink.formats.registry import FORMATS
from tests.formats.strategies import md5_of
from tests.formats.vics import samples

ENTRY = ListEntry(signals=(Signal("md5", md5_of(1)),), external_id=md5_of(1))


@pytest.mark.parametrize("name", ["csv", "vics", "icse", "hma"])
def test_what_each_writer_writes_is_detected_as_its_format(name: str) -> None:
    writer = FORMATS[name].write
    assert writer is not None
    buffer = io.BytesIO()
    writer([ENTRY], buffer)
    assert detect(buffer.getvalue()) == name


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (samples.default_hash_set(), "vics"),
        (samples.qt_case_13(), "vics"),
        (samples.uk_case_20(), "vics"),
        (codecs.BOM_UTF8 + samples.default_hash_set(), "vics"),
        (samples.default_hash_set().decode().encode("utf-16"), "vics"),
        (b'[{"MD5": "abc"}]', "vics"),
        (
            b'<?xml version="1.0"?><queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">',
            "ncmec",
        ),
        (b"MD5;SHA1;ZZ40;PhotoDNA;Lace;Image ID;Baseline\r\n", "icse"),
        ("\ufeffImage ID\tMD5\r\n".encode("utf-16"), "icse"),
        (b"collab,signal_type,signal_str,category,tags\n", "hma"),
        (b"md5,sha1,sha256,pdq,category,series,victim_identified\n", "csv"),
        (b"md5\n" + md5_of(1).encode(), "csv"),
        (b"id;md5;distributed;category_scheme\n", "csv"),
        (b"", None),
        (b"   \n", None),
        (b'{"name": "package.json"}', None),
        (b"<html><body>hi</body></html>", None),
        (b"name,date\nx,y\n", None),
        (b"acecf3355e3125c8e24e2f30e0d4ec4f,2880742865368386,2020-07-31T18:47:52+0000,a\n", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None),
    ],
)
def test_detection_from_the_first_bytes(head: bytes, expected: str | None) -> None:
    assert detect(head) == expected
