import hashlib
import io

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from interlink.domain.categories import Category
from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats import hashcsv
from interlink.formats.base import RecordWarning
from interlink.media.synthetic import scene
from interlink.signals import orb


def _read(text: str) -> list[ListEntry | RecordWarning | FormatError]:
    return list(hashcsv.read(io.BytesIO(text.encode("utf-8"))))


def test_reads_hashes_categories_and_flags_with_bom_and_upper_case() -> None:
    md5 = hashlib.md5(b"a").hexdigest()
    sha = hashlib.sha256(b"a").hexdigest()
    text = (
        "\ufeffMD5,sha256,pdq,category,series,victim_identified\n"
        f"{md5.upper()},{sha},{'f' * 64},uk:A,Willow,yes\n"
        f"{md5},,,,,\n"
    )
    first, second = _read(text)
    assert isinstance(first, ListEntry)
    assert first.signals == (Signal("md5", md5), Signal("sha256", sha), Signal("pdq", "f" * 64))
    assert first.category == Category("uk", "A")
    assert first.series == "Willow" and first.victim_identified is True
    assert isinstance(second, ListEntry) and second.victim_identified is None


def test_bad_rows_are_errors_with_their_line_and_good_rows_survive() -> None:
    md5 = hashlib.md5(b"a").hexdigest()
    text = f"md5;category\nnot-a-hash;uk:A\n{md5};uk:Z\n\n{md5};uk:B\n"
    results = _read(text)
    errors = [r for r in results if isinstance(r, FormatError)]
    good = [r for r in results if isinstance(r, ListEntry)]
    assert [e.position for e in errors] == ["line 2"]
    assert "md5" in errors[0].reason
    # A category no scheme has costs the category, not the entry.
    assert [g.category for g in good] == [None, Category("uk", "B")]
    assert dict(good[0].extra) == {"csv.category": "uk:Z"}
    [warning] = [r for r in results if isinstance(r, RecordWarning)]
    assert (warning.position, warning.field) == ("line 3", "category")


def test_a_bare_code_without_a_scheme_keeps_the_entry_and_its_text() -> None:
    """Issue 12: a category column of bare codes, and no scheme column, lost every entry."""
    md5 = hashlib.md5(b"a").hexdigest()
    sha = hashlib.sha256(b"a").hexdigest()
    text = f"md5,sha256,category,victim_identified,pdq,pdq_quality\n{md5},{sha},1,maybe,,\n"
    entry, *warnings = _read(text)
    assert isinstance(entry, ListEntry)
    assert entry.signals == (Signal("md5", md5), Signal("sha256", sha))
    assert entry.category is None and entry.victim_identified is None
    assert dict(entry.extra) == {"csv.category": "1", "csv.victim_identified": "maybe"}
    assert [(w.position, w.field) for w in warnings if isinstance(w, RecordWarning)] == [
        ("line 2", "victim_identified"),
        ("line 2", "category"),
    ]
    assert "--category-scheme" in str(warnings[1])
    # Said by the caller, the code means what the scheme says; the written file keeps the text.
    [known] = hashcsv.read(
        io.BytesIO(text.replace(",maybe,", ",,").encode()), category_scheme="projectvic-us"
    )
    assert isinstance(known, ListEntry) and known.category == Category("projectvic-us", "1")
    out = io.BytesIO()
    hashcsv.write([entry], out)
    header, row = out.getvalue().decode().splitlines()[:2]
    assert dict(zip(header.split(","), row.split(","), strict=True))["category"] == "1"


def test_a_header_without_hashes_is_one_error() -> None:
    [error] = _read("name,size\nx,1\n")
    assert isinstance(error, FormatError) and "no hash column" in error.reason
    assert not hashcsv.detect(b"name,size\n")
    assert hashcsv.detect(b"\xef\xbb\xbfSHA256;series\n")


def test_bare_codes_need_a_scheme_column() -> None:
    md5 = hashlib.md5(b"a").hexdigest()
    [entry] = _read(f"md5,category,category_scheme\n{md5},2,projectvic-us\n")
    assert isinstance(entry, ListEntry)
    assert entry.category == Category("projectvic-us", "2")


hex_of = st.integers(min_value=0, max_value=(1 << 256) - 1).map(lambda v: f"{v:064x}")


@given(
    st.lists(
        st.tuples(hex_of, st.sampled_from([None, True, False]), st.text(max_size=20)),
        min_size=1,
        max_size=20,
    )
)
def test_write_then_read_round_trips(rows: list[tuple[str, bool | None, str]]) -> None:
    entries = [
        ListEntry(
            (Signal("sha256", value), Signal("pdq", value, 70)),
            Category("industry", "A1"),
            series=series.strip().replace("\x00", "") or None,
            victim_identified=flag,
            external_id=str(i),
        )
        for i, (value, flag, series) in enumerate(rows)
    ]
    buffer = io.BytesIO()
    assert hashcsv.write(entries, buffer) == len(entries)
    back = list(hashcsv.read(io.BytesIO(buffer.getvalue())))
    assert back == entries


def test_orb_values_are_written_and_read_back() -> None:
    value = orb.dumps(orb.extract(np.asarray(Image.fromarray(scene(240, 320, 2)).convert("L"))))
    entry = ListEntry((Signal("md5", "ab" * 16), Signal(orb.NAME, value)), external_id="7")
    buffer = io.BytesIO()
    assert hashcsv.write([entry], buffer) == 1
    assert buffer.getvalue().splitlines()[0].decode().split(",")[:7] == [
        "id", "md5", "sha1", "sha256", "pdq", "photodna", "orb"
    ]  # fmt: skip
    assert list(hashcsv.read(io.BytesIO(buffer.getvalue()))) == [entry]
