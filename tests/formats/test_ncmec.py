import io
from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from interlink.domain.categories import Category
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats.base import ListInfo, ListRecord, RecordError, RecordWarning, Tombstone
from interlink.formats.ncmec import read_ncmec
from tests.formats.strategies import SIGNAL_VALUES, md5_of, text

NS = "https://hashsharing.ncmec.org/hashsharing/v2"
TAGS = {"md5": "md5", "sha1": "sha1", "photodna": "pdna", "pdq": "pdq", "sha256": "sha256"}


def document(images: str = "", videos: str = "", paging: str = "") -> bytes:
    body = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<queryResult xmlns="{NS}">'
    if images:
        body += f'<images count="999" maxTimestamp="2017-10-24T15:10:00Z">{images}</images>'
    if videos:
        body += f'<videos count="1" maxTimestamp="2019-11-25T15:10:00Z">{videos}</videos>'
    return (body + paging + "</queryResult>").encode()


def entry_xml(kind: str, member: str, ident: str, prints: dict[str, str], klass: str | None) -> str:
    fingerprints = "".join(f"<{TAGS[k]}>{v.upper()}</{TAGS[k]}>" for k, v in prints.items())
    classification = f"<classification>{klass}</classification>" if klass else ""
    return (
        f'<{kind}><member id="{member}">Member {escape(member)}</member>'
        f"<timestamp>2017-10-24T15:00:00Z</timestamp><id>{escape(ident)}</id>{classification}"
        f"<fingerprints>{fingerprints}</fingerprints>"
        '<feedback lastUpdateTimestamp="2023-06-01T12:48:14Z"><affirmativeFeedback type="Md5">'
        '<members><member id="9">Other</member></members></affirmativeFeedback></feedback>'
        f"</{kind}>"
    )


def read(data: bytes) -> list[ListRecord]:
    return list(read_ncmec(io.BytesIO(data)))


@st.composite
def ncmec_entries(draw: st.DrawFn) -> tuple[str, str, str, dict[str, str], str | None]:
    kind = draw(st.sampled_from(["image", "video"]))
    names = draw(st.sets(st.sampled_from(sorted(TAGS)), min_size=1))
    prints = {name: draw(SIGNAL_VALUES[name]) for name in sorted(names)}
    klass = draw(st.sampled_from([None, "A1", "A2", "B1", "B2"]))
    member = draw(st.integers(1, 10**6).map(str))
    return kind, member, draw(text), prints, klass


@settings(max_examples=50)
@given(st.lists(ncmec_entries(), max_size=5))
def test_entries_read_as_list_entries(
    entries: list[tuple[str, str, str, dict[str, str], str | None]],
) -> None:
    images = "".join(entry_xml(*e) for e in entries if e[0] == "image")
    videos = "".join(entry_xml(*e) for e in entries if e[0] == "video")
    found = read(document(images, videos))
    assert isinstance(found[-1], ListInfo)
    ordered = [e for e in entries if e[0] == "image"] + [e for e in entries if e[0] == "video"]
    assert found[:-1] == [
        ListEntry(
            signals=tuple(sorted(Signal(k, v) for k, v in prints.items())),
            category=None if klass is None else Category("industry", klass),
            external_id=f"{member}-{ident}",
            media_kind=kind,
            extra=(
                ("member_id", member),
                ("member_name", f"Member {member}"),
                ("updated", "2017-10-24T15:00:00Z"),
            ),
        )
        for kind, member, ident, prints, klass in ordered
    ]


def test_deletions_are_tombstones_and_paging_is_listed() -> None:
    images = (
        '<deletedImage><member id="43">M</member><id>image4</id>'
        "<timestamp>2017-10-24T15:10:00Z</timestamp></deletedImage>"
    )
    videos = '<deletedVideo><member id="42">M</member><id>video4</id></deletedVideo>'
    paging = "<paging><next>/v2/entries?from=x&amp;start=2001</next></paging>"
    found = read(document(images, videos, paging))
    assert found == [
        Tombstone(
            "43-image4",
            "image",
            (("member_id", "43"), ("member_name", "M"), ("updated", "2017-10-24T15:10:00Z")),
        ),
        Tombstone("42-video4", "video", (("member_id", "42"), ("member_name", "M"))),
        ListInfo(
            (
                ("format", "ncmec"),
                ("next", "/v2/entries?from=x&start=2001"),
                ("max_timestamp", "2019-11-25T15:10:00Z"),
            )
        ),
    ]


def test_linked_and_unknown_fingerprints_and_classifications_are_kept_aside() -> None:
    video = (
        '<video><member id="101">TX</member><id>large</id><classification>E</classification>'
        f"<fingerprints><md5>{md5_of(1)}</md5>"
        '<tmk-pdqf rel="self" href="/v2/entries/1/fingerprints/TMK_PDQF"/>'
        "<netclean>opaque</netclean></fingerprints></video>"
    )
    (entry, _) = read(document(videos=video))
    assert isinstance(entry, ListEntry)
    assert entry.signals == (Signal("md5", md5_of(1)),)
    assert entry.category is None
    assert dict(entry.extra) == {
        "member_id": "101",
        "member_name": "TX",
        "ncmec.classification": "E",
        "ncmec.fingerprint.netclean": "opaque",
        "ncmec.fingerprint_link.tmk-pdqf": "/v2/entries/1/fingerprints/TMK_PDQF",
    }


def test_bad_entries_are_errors_with_their_path_and_the_rest_is_read() -> None:
    good = entry_xml("image", "1", "ok", {"md5": md5_of(1)}, "A1")
    bad_hash = entry_xml("image", "1", "bad", {"md5": "abc"}, None)
    no_id = (
        '<image><member id="1">M</member><fingerprints><md5>'
        + md5_of(2)
        + "</md5></fingerprints></image>"
    )
    links_only = (
        '<image><member id="1">M</member><id>l</id>'
        '<fingerprints><pdq href="/x"/></fingerprints></image>'
    )
    found = read(document(good + bad_hash + no_id + links_only + good))
    assert isinstance(found[0], ListEntry) and isinstance(found[5], ListEntry)
    errors = [record for record in found if isinstance(record, RecordError)]
    assert [e.position for e in errors] == [
        "queryResult/images/image[2]",
        "queryResult/images/image[4]",
    ]
    assert "md5" in errors[0].reason
    assert "no fingerprint" in errors[1].reason
    # An entry without its id is kept by its hash, with a warning.
    kept, warning = found[2], found[3]
    assert isinstance(kept, ListEntry) and kept.external_id is None
    assert kept.signals == (Signal("md5", md5_of(2)),)
    assert isinstance(warning, RecordWarning)
    assert (warning.position, warning.field) == ("queryResult/images/image[3]", "id")


def test_a_bad_optional_field_costs_the_field_not_the_entry() -> None:
    bad_time = entry_xml("image", "1", "t", {"md5": md5_of(1)}, "A1").replace(
        "<timestamp>", "<timestamp>yesterday "
    )
    found = read(document(bad_time))
    entry, warning = found[0], found[1]
    assert isinstance(entry, ListEntry) and entry.external_id == "1-t"
    assert entry.category == Category("industry", "A1")
    assert isinstance(warning, RecordWarning) and warning.field == "timestamp"
    assert any(key == "ncmec.timestamp" for key, _ in entry.extra)


def test_a_classification_of_the_callers_scheme_is_read_in_it() -> None:
    data = document(entry_xml("image", "1", "c", {"md5": md5_of(1)}, "2"))
    [entry, _] = read(data)
    assert isinstance(entry, ListEntry) and entry.category is None
    assert ("ncmec.classification", "2") in entry.extra
    [entry, _] = list(read_ncmec(io.BytesIO(data), category_scheme="projectvic-us"))
    assert isinstance(entry, ListEntry) and entry.category == Category("projectvic-us", "2")


def test_truncated_xml_keeps_every_entry_before_the_break() -> None:
    entries = "".join(entry_xml("image", "1", str(n), {"md5": md5_of(n)}, None) for n in range(5))
    data = document(entries)
    found = read(data[: data.index(b"<id>3</id>")])
    assert [e.external_id for e in found[:-1] if isinstance(e, ListEntry)] == ["1-0", "1-1", "1-2"]
    assert len(found) == 4
    assert isinstance(found[-1], RecordError) and found[-1].fatal
    assert found[-1].position == "after queryResult/images/image[3]"


def test_entities_and_dtds_are_refused_without_being_expanded() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<queryResult><images><image><id>&lol2;</id></image></images></queryResult>"
    )
    (error,) = read(laughs)
    assert isinstance(error, RecordError) and error.fatal
    external = (
        b'<?xml version="1.0"?><!DOCTYPE q SYSTEM "http://example.invalid/x.dtd"><queryResult/>'
    )
    (error,) = read(external)
    assert isinstance(error, RecordError) and error.fatal


def test_not_xml_at_all() -> None:
    (error,) = read(b"md5,sha1\n")
    assert isinstance(error, RecordError) and error.fatal
