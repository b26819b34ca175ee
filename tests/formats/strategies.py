"""Hypothesis strategies and small generators of synthetic list entries (no media at all)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from interlink.domain.categories import SCHEMES, Category
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats import _values as v

HEX = "0123456789abcdef"
TOKEN = "abcdefABCDEF0123456789+/=_-"


def hex_digits(count: int) -> st.SearchStrategy[str]:
    return st.text(HEX, min_size=count, max_size=count)


SIGNAL_VALUES: dict[str, st.SearchStrategy[str]] = {
    "md5": hex_digits(32),
    "sha1": hex_digits(40),
    "sha256": hex_digits(64),
    "pdq": hex_digits(64),
    "photodna": hex_digits(288),
    "zz40": st.text(TOKEN, min_size=1, max_size=40),
    "lace": st.text(TOKEN, min_size=1, max_size=40),
}

#: Text that survives trimming: no surrounding space, no control characters.
text = (
    st.text(st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=24)
    .map(str.strip)
    .filter(bool)
)
flags = st.none() | st.booleans()
times = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


def signals(required: str, optional: tuple[str, ...]) -> st.SearchStrategy[tuple[Signal, ...]]:
    """A canonical signal tuple with ``required`` and any of ``optional``."""

    @st.composite
    def build(draw: st.DrawFn) -> tuple[Signal, ...]:
        chosen = [Signal(required, draw(SIGNAL_VALUES[required]))]
        for name in optional:
            if draw(st.booleans()):
                chosen.append(Signal(name, draw(SIGNAL_VALUES[name])))
        return v.signal_set(chosen)

    return build()


def categories(scheme: str) -> st.SearchStrategy[Category | None]:
    return st.none() | st.sampled_from([Category(scheme, code) for code in SCHEMES[scheme]])


def extras(**values: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    """A sorted extra tuple holding any subset of ``values``."""
    return st.fixed_dictionaries({}, optional=values).map(
        lambda found: tuple(sorted(found.items()))
    )


def numbers() -> st.SearchStrategy[str]:
    return st.integers(min_value=0, max_value=10**12).map(str)


@st.composite
def vics_entries(draw: st.DrawFn) -> ListEntry:
    """Entries a VICS hash set can hold exactly."""
    found = draw(signals("md5", ("sha1", "photodna", "sha256", "pdq")))
    md5 = next(item.value for item in found if item.type == "md5")
    mime = draw(st.none() | st.sampled_from(["image/jpeg", "video/mp4", "application/pdf"]))
    extra = draw(
        extras(
            media_id=numbers(),
            media_size=numbers(),
            precategorized=st.sampled_from(["true", "false"]),
            updated=times.map(v.format_time),
        )
    )
    if mime is not None:
        extra = tuple(sorted((*extra, ("mime_type", mime))))
    return ListEntry(
        signals=found,
        category=draw(categories("projectvic-us")),
        series=draw(st.none() | text),
        victim_identified=draw(flags),
        offender_identified=draw(flags),
        distributed=draw(flags),
        external_id=md5,
        media_kind=v.media_kind_of_mime(mime),
        extra=extra,
    )


@st.composite
def icse_entries(draw: st.DrawFn) -> ListEntry:
    """Entries an ICSE export can hold exactly."""
    first = draw(st.sampled_from(["md5", "sha1", "zz40", "photodna", "lace"]))
    others = tuple(name for name in ("md5", "sha1", "zz40", "photodna", "lace") if name != first)
    return ListEntry(
        signals=draw(signals(first, others)),
        category=draw(categories("icse-baseline")),
        series=draw(st.none() | text),
        victim_identified=draw(flags),
        offender_identified=draw(flags),
        distributed=draw(flags),
        external_id=draw(st.none() | text),
        media_kind=draw(st.sampled_from([None, "image", "video"])),
        extra=draw(
            extras(
                agency=text,
                investigation=text,
                submissions=numbers(),
                file_available=st.sampled_from(["true", "false"]),
            )
        ),
    )


@st.composite
def hma_entries(draw: st.DrawFn) -> ListEntry:
    """Entries an HMA signal file can hold exactly: one signal each."""
    kind_of: dict[str, list[str | None]] = {
        "pdq": ["image"],
        "photodna": ["image"],
        "md5": [None, "video"],
        "sha256": [None],
    }
    name = draw(st.sampled_from(sorted(kind_of)))
    words = st.lists(st.text("abcdefghij_", min_size=1, max_size=8), min_size=1, max_size=3)
    return ListEntry(
        signals=(Signal(name, draw(SIGNAL_VALUES[name])),),
        media_kind=draw(st.sampled_from(kind_of[name])),
        extra=draw(
            extras(
                collab=text,
                opinion=st.sampled_from(["POSITIVE_CLASS", "NEGATIVE_CLASS"]),
                tags=words.map(" ".join),
            )
        ),
    )


def md5_of(number: int) -> str:
    """A deterministic, distinct fake MD5 (not the hash of anything)."""
    return f"{number:032x}"


def simple_entries(count: int) -> list[ListEntry]:
    """``count`` distinct VICS-holdable entries, for tests of positions and truncation."""
    return [
        ListEntry(
            signals=(Signal("md5", md5_of(index)), Signal("sha1", f"{index:040x}")),
            category=Category("projectvic-us", str(index % 5)),
            distributed=index % 2 == 0,
            external_id=md5_of(index),
            extra=(("media_id", str(index)),),
        )
        for index in range(count)
    ]
