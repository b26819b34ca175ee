from hypothesis import given
from hypothesis import strategies as st

from interlink.domain.errors import FormatError
from interlink.formats._salvage import Salvage, kept
from interlink.formats.vics.fast import entry_from_json
from interlink.formats.vics.fields import entry_of, media_from_json
from interlink.formats.vics.profiles import DEFAULT_CATEGORY_MAP, numbering
from tests.formats.strategies import hex_digits

messy = st.one_of(st.none(), st.booleans(), st.integers(-3, 7), st.text(max_size=6), st.floats())
spellings = {
    "MediaID": st.one_of(st.integers(0, 10**6), st.text("0123456789", max_size=8), messy),
    "Category": st.one_of(st.integers(-1, 6), st.sampled_from(["1", " 2 ", "", "x"]), messy),
    "MD5": st.one_of(hex_digits(32), hex_digits(32).map(str.upper), messy),
    "SHA1": st.one_of(hex_digits(40), messy),
    "PhotoDNA": st.one_of(hex_digits(288), st.just("AAEC" * 48), messy),
    "MediaSize": st.one_of(st.integers(0, 10**9), st.integers(0, 10**9).map(str), messy),
    "DateUpdated": st.one_of(st.sampled_from(["2023-06-07T02:31:49.8300Z", "2020-01-01"]), messy),
    "IsPrecategorized": st.one_of(st.sampled_from(["true", "False", 1, 0]), messy),
    "IsDistributed": st.one_of(st.booleans(), messy),
    "VictimIdentified": st.one_of(st.sampled_from(["yes", "no"]), messy),
    "OffenderIdentified": messy,
    "Series": st.one_of(st.text(max_size=10), messy),
    "MimeType": st.one_of(st.sampled_from(["image/png", "video/mp4", "text/plain"]), messy),
}
keys = st.sampled_from(sorted(spellings)).flatmap(
    lambda key: st.tuples(st.sampled_from([key, key.lower(), key.upper()]), spellings[key])
)


@given(st.lists(keys, max_size=10), st.sampled_from(["US", "UK", None]))
def test_the_fast_path_agrees_with_the_full_one(
    pairs: list[tuple[str, object]], profile: str | None
) -> None:
    obj = dict(pairs)
    numbers = numbering(profile, DEFAULT_CATEGORY_MAP)
    slow_notes, fast_notes = Salvage(), Salvage()
    try:
        media = media_from_json(
            obj, case_index=None, profile=profile, mapping=DEFAULT_CATEGORY_MAP, salvage=slow_notes
        )
        slow = list(kept(entry_of(media, profile), slow_notes.failures, "$", "vics"))
    except FormatError as exc:
        slow_error: str | None = exc.reason
    else:
        slow_error = None
    try:
        entry = entry_from_json(obj, profile, numbers, fast_notes)
    except FormatError as exc:
        assert exc.reason == slow_error
        return
    assert slow_error is None and entry is not None
    fast = list(kept(entry, fast_notes.failures, "$", "vics"))
    assert fast[0] == slow[0]
    assert sorted(map(repr, fast[1:])) == sorted(map(repr, slow[1:]))


def test_the_fast_path_declines_media_with_other_keys() -> None:
    us = numbering("US", DEFAULT_CATEGORY_MAP)
    assert entry_from_json({"MD5": "a" * 32, "MediaFiles": []}, "US", us, Salvage()) is None
    assert entry_from_json(["not", "a", "dict"], "US", us, Salvage()) is None
    plain = entry_from_json({"MD5": "a" * 32, "odata.id": "x"}, "US", us, Salvage())
    assert plain is not None and plain.external_id == "a" * 32
