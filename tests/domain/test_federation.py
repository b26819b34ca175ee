"""What of a list entry crosses to a peer at each disclosure level."""

from __future__ import annotations

from interlink.domain.categories import Category
from interlink.domain.federation import Disclosure, entry_view
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal

ENTRY = ListEntry(
    signals=(Signal("md5", "0" * 32), Signal("pdq", "f" * 64, 90)),
    category=Category("uk", "A"),
    series="series-x",
    victim_identified=True,
    offender_identified=False,
    distributed=True,
    external_id="ICSE-123",
    media_kind="image",
    extra=(("agency", "Unit 7"), ("note", "internal")),
)


def test_hashes_carry_signals_only() -> None:
    assert entry_view(ENTRY, Disclosure.HASHES, agency="Unit 7") == ListEntry(ENTRY.signals)


def test_category_adds_category_and_kind() -> None:
    view = entry_view(ENTRY, Disclosure.CATEGORY, agency="Unit 7")
    assert (view.category, view.media_kind, view.series, view.extra) == (
        Category("uk", "A"),
        "image",
        None,
        (),
    )


def test_full_adds_flags_series_and_agency_but_never_ids_or_extras() -> None:
    view = entry_view(ENTRY, Disclosure.FULL, agency="Unit 7")
    assert (view.series, view.victim_identified, view.offender_identified, view.distributed) == (
        "series-x",
        True,
        False,
        True,
    )
    assert view.external_id is None and view.extra == (("agency", "Unit 7"),)
