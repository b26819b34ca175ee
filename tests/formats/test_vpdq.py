import io
import json

import pytest

from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.formats.base import RecordError, RecordWarning
from interlink.formats.vpdq import read_list, read_vpdq, write_vpdq
from interlink.signals.vpdq import VpdqFeature, loads

PDQ = "c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c"


def test_round_trip_and_meta_lines() -> None:
    features = (VpdqFeature(0, PDQ, 100, 0.0), VpdqFeature(30, PDQ, 64, 1.001))
    data = write_vpdq(features)
    assert data == f"0,100,{PDQ},0.000\n30,64,{PDQ},1.001\n".encode()
    assert read_vpdq(data) == features
    assert read_vpdq(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")) == features


def test_threatexchange_json_file() -> None:
    data = json.dumps([f"{PDQ},100,0.0", f"{PDQ},90,1.0"]).encode()
    assert [f.frame for f in read_vpdq(data)] == [0, 1]


@pytest.mark.parametrize(
    ("data", "where"),
    [(f"0,100,{PDQ},0\n1,100,zz,1\n".encode(), "line 2"), (b"\xff\xfe", "byte 0")],
)
def test_bad_files_name_the_place(data: bytes, where: str) -> None:
    with pytest.raises(FormatError, match=where):
        read_vpdq(data)


def test_empty_file_is_refused() -> None:
    with pytest.raises(FormatError, match="no frames"):
        read_vpdq(b"\n\n")


def test_a_bad_line_costs_its_frame_not_the_known_video() -> None:
    """Issue 12: one unreadable frame line lost the whole video from the list."""
    data = f"0,100,{PDQ},0.000\n1,100,zz,1.000\n2,90,{PDQ},2.000\n".encode()
    entry, warning = read_list(io.BytesIO(data))
    assert isinstance(entry, ListEntry) and entry.media_kind == "video"
    [signal] = entry.signals
    assert [f.frame for f in loads(signal.value)] == [0, 2]
    assert ("vpdq.line_2", "1,100,zz,1.000") in entry.extra
    assert isinstance(warning, RecordWarning)
    assert (warning.position, warning.field) == ("file", "line 2")
    [error] = read_list(io.BytesIO(b"0,100,zz,0.0\n"))
    assert isinstance(error, RecordError) and error.fatal and "line 1" in error.reason
