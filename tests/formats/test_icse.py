import codecs
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from interlink.domain.categories import Category
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats.base import ListRecord, RecordError, RecordWarning, WriteReport
from interlink.formats.icse import COLUMNS, read_icse, write_icse
from tests.formats.strategies import icse_entries, md5_of

HEADER = ";".join(COLUMNS)


def read(data: bytes) -> list[ListRecord]:
    return list(read_icse(io.BytesIO(data)))


@settings(max_examples=60)
@given(st.lists(icse_entries(), max_size=6))
def test_icse_exports_round_trip(entries: list[ListEntry]) -> None:
    buffer = io.BytesIO()
    assert write_icse(entries, buffer) == WriteReport(written=len(entries))
    assert read(buffer.getvalue()) == entries


def test_the_writer_writes_the_icse_header_and_crlf() -> None:
    buffer = io.BytesIO()
    write_icse([], buffer)
    assert buffer.getvalue() == (HEADER + "\r\n").encode()


def test_a_row_as_agencies_exchange_it() -> None:
    row = (
        f"{md5_of(1).upper()};{'A' * 40};ZzToken==;;LaceToken;IMG-77;Yes;No;;Series A;Op X;"
        "Agency Y;3;True;Image;Yes"
    )
    (entry,) = read((HEADER + "\r\n" + row + "\r\n").encode())
    assert entry == ListEntry(
        signals=(
            Signal("lace", "LaceToken"),
            Signal("md5", md5_of(1)),
            Signal("sha1", "a" * 40),
            Signal("zz40", "ZzToken=="),
        ),
        category=Category("icse-baseline", "baseline"),
        series="Series A",
        victim_identified=False,
        distributed=True,
        external_id="IMG-77",
        media_kind="image",
        extra=(
            ("agency", "Agency Y"),
            ("file_available", "true"),
            ("investigation", "Op X"),
            ("submissions", "3"),
        ),
    )


def test_columns_are_found_by_name_in_any_order_case_and_separator() -> None:
    data = f"image id,MD5 ,UNKNOWN COLUMN, baseline\nX1,{md5_of(2)},kept,no\n"
    (entry,) = read(codecs.BOM_UTF8 + data.encode())
    assert isinstance(entry, ListEntry)
    assert entry.external_id == "X1"
    assert entry.category == Category("icse-baseline", "not-baseline")
    assert entry.extra == (("icse.unknown column", "kept"),)


def test_windows_1252_text_and_utf16_exports_read() -> None:
    row = f"{md5_of(3)};Série €\r\n"
    (entry,) = read(("MD5;Series name\r\n" + row).encode("cp1252"))
    assert isinstance(entry, ListEntry) and entry.series == "Série €"
    (entry,) = read(("MD5\tSeries name\r\n" + row.replace(";", "\t")).encode("utf-16"))
    assert isinstance(entry, ListEntry) and entry.series == "Série €"


def test_bad_rows_are_errors_with_their_line_and_good_rows_are_kept() -> None:
    lines = [
        HEADER,
        f"{md5_of(1)};;;;;1",
        "not-a-hash;;;;;2",
        f"{md5_of(3)};;;;;3;maybe",
        f"{md5_of(4)};;;;;4;;;;;;;many;;;;;too;many",
        ";;;;;5",
        f"{md5_of(6)};;;;;6;;;;;;;x",
        "",
        f"{md5_of(7)};" + "s" * 300_000,
        f"{md5_of(8)};{'f' * 40};;;;8",
        f"{md5_of(9)};;;;;9;;;;;;;;;Picture",
    ]
    found = read("\n".join(lines).encode())
    assert [type(record).__name__ for record in found] == [
        "ListEntry",
        "RecordError",
        "ListEntry",
        "RecordWarning",
        "RecordError",
        "RecordError",
        "ListEntry",
        "RecordWarning",
        "RecordError",
        "ListEntry",
        "ListEntry",
    ]
    errors = [record for record in found if isinstance(record, RecordError)]
    assert [error.position for error in errors] == [f"line {n}" for n in (3, 5, 6, 9)]
    assert "md5" in errors[0].reason
    assert "fields where the header has 16" in errors[1].reason
    assert "no hash" in errors[2].reason
    assert not any(error.fatal for error in errors)
    # A flag that is not yes/no, or a count that is not a number, costs the field, not the row.
    warnings = [record for record in found if isinstance(record, RecordWarning)]
    assert [(w.position, w.field) for w in warnings] == [
        ("line 4", "Is distributed"),
        ("line 7", "Number of submissions"),
    ]
    assert "yes/no" in warnings[0].reason and "whole number" in warnings[1].reason
    kept_flag, kept_count = found[2], found[6]
    assert isinstance(kept_flag, ListEntry) and kept_flag.distributed is None
    assert ("icse.is_distributed", "maybe") in kept_flag.extra
    assert (
        isinstance(kept_count, ListEntry)
        and ("icse.number_of_submissions", "x") in kept_count.extra
    )
    last = found[-1]
    assert isinstance(last, ListEntry)
    assert last.media_kind is None and ("media_type", "Picture") in last.extra


def test_a_baseline_that_is_not_yes_or_no_costs_the_category_not_the_entry() -> None:
    [entry, warning] = read(f"MD5;Image ID;Baseline\n{md5_of(1)};7;sometimes\n".encode())
    assert isinstance(entry, ListEntry) and entry.category is None
    assert entry.external_id == "7" and ("icse.baseline", "sometimes") in entry.extra
    assert isinstance(warning, RecordWarning)
    assert (warning.position, warning.field) == ("line 2", "Baseline")


def test_a_file_without_a_hash_column_is_not_icse() -> None:
    (error,) = read(b"Name;Date\nx;y\n")
    assert isinstance(error, RecordError) and error.fatal


def test_what_icse_cannot_hold_is_reported() -> None:
    entries = [
        ListEntry(signals=(Signal("pdq", "0" * 64),)),
        ListEntry(
            signals=(Signal("md5", md5_of(1)), Signal("pdq", "0" * 64)),
            category=Category("projectvic-us", "1"),
        ),
    ]
    buffer = io.BytesIO()
    assert write_icse(entries, buffer) == WriteReport(written=1, skipped=1, dropped=2)
    (entry,) = read(buffer.getvalue())
    assert isinstance(entry, ListEntry) and entry.signals == (Signal("md5", md5_of(1)),)
