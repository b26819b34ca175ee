import io

from hypothesis import given, settings
from hypothesis import strategies as st

from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats.base import ListRecord, RecordError, RecordWarning, WriteReport
from interlink.formats.hma import read_hma, write_hma
from tests.formats.strategies import hma_entries, md5_of

PDQ = "acecf3355e3125c8e24e2f30e0d4ec4f8482b878b3c34cdbdf063278db275992"


def read(data: bytes, signal_type: str | None = None) -> list[ListRecord]:
    return list(read_hma(io.BytesIO(data), signal_type=signal_type))


@settings(max_examples=60)
@given(st.lists(hma_entries(), max_size=6))
def test_signal_files_round_trip(entries: list[ListEntry]) -> None:
    buffer = io.BytesIO()
    assert write_hma(entries, buffer) == WriteReport(written=len(entries))
    assert read(buffer.getvalue()) == entries


def test_the_threatexchange_dataset_csv() -> None:
    data = (
        "collab,signal_type,signal_str,category,tags\n"
        f"Sample Data,pdq,{PDQ.upper()},POSITIVE_CLASS,media_type_photo  disputed\n"
        f"Sample Data,video_md5,{md5_of(1)},POSITIVE_CLASS,\n"
    ).encode()
    photo, video = read(data)
    assert photo == ListEntry(
        signals=(Signal("pdq", PDQ),),
        media_kind="image",
        extra=(
            ("collab", "Sample Data"),
            ("opinion", "POSITIVE_CLASS"),
            ("tags", "media_type_photo disputed"),
        ),
    )
    assert isinstance(video, ListEntry)
    assert video.signals == (Signal("md5", md5_of(1)),) and video.media_kind == "video"


def test_headerless_hma_sample_files_need_their_signal_type() -> None:
    data = f"{PDQ},2880742865368386,2020-07-31T18:47:52+0000,a b\n".encode()
    (entry,) = read(data, signal_type="pdq")
    assert entry == ListEntry(
        signals=(Signal("pdq", PDQ),),
        external_id="2880742865368386",
        media_kind="image",
        extra=(("tags", "a b"), ("updated", "2020-07-31T18:47:52Z")),
    )
    (error,) = read(data)
    assert isinstance(error, RecordError) and error.fatal


def test_unknown_types_and_bad_values_are_per_row_errors() -> None:
    data = (
        "signal_type,signal_str\n"
        f"pdq,{PDQ}\n"
        "tlsh,T1ABC\n"
        "pdq,tooshort\n"
        f"photodna,{'ab' * 144}\n"
        f",{PDQ}\n"
    ).encode()
    found = read(data)
    assert [type(record).__name__ for record in found] == [
        "ListEntry",
        "RecordError",
        "RecordError",
        "ListEntry",
        "RecordError",
    ]
    unknown, missing = found[1], found[4]
    assert isinstance(unknown, RecordError) and isinstance(missing, RecordError)
    assert unknown.position == "line 3" and "not a signal type" in unknown.reason
    assert missing.position == "line 6" and "signal_type: missing" in missing.reason


def test_every_signal_of_an_entry_is_its_own_row() -> None:
    entry = ListEntry(
        signals=(Signal("md5", md5_of(1)), Signal("sha256", "e" * 64)),
        media_kind="video",
        extra=(("collab", "C"),),
    )
    buffer = io.BytesIO()
    assert write_hma([entry, ListEntry(signals=())], buffer) == WriteReport(written=1, skipped=1)
    lines = buffer.getvalue().decode().splitlines()
    assert lines[1:] == [f"C,video_md5,{md5_of(1)},,", f"C,sha256,{'e' * 64},,"]


def test_a_bad_optional_column_costs_the_column_not_the_signal() -> None:
    """Issue 12: a timestamp that is not a time, or an overlong id, lost the whole row."""
    data = f"{PDQ},{'9' * 300},last week,a\n".encode()
    entry, *warnings = read(data, signal_type="pdq")
    assert isinstance(entry, ListEntry) and entry.signals == (Signal("pdq", PDQ),)
    assert entry.external_id is None
    assert ("hma.timestamp", "last week") in entry.extra and ("tags", "a") in entry.extra
    assert [(w.position, w.field) for w in warnings if isinstance(w, RecordWarning)] == [
        ("line 1", "timestamp"),
        ("line 1", "id"),
    ]
