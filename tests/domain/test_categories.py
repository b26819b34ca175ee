import pytest

from interlink.domain.categories import SCHEMES, Category, known_scheme, read_category
from interlink.domain.errors import InvalidFieldError, InvalidSignalError


def test_category_needs_a_known_scheme_and_code() -> None:
    assert Category("uk", "A").label.startswith("Category A")
    assert Category.parse("industry:B1") == Category("industry", "B1")
    with pytest.raises(InvalidSignalError):
        Category("uk", "D")
    with pytest.raises(InvalidSignalError):
        Category("nowhere", "1")
    with pytest.raises(InvalidSignalError):
        Category.parse("1")


def test_schemes_hold_the_published_codes() -> None:
    assert sorted(SCHEMES["projectvic-us"]) == ["0", "1", "2", "3", "4"]
    assert sorted(SCHEMES["dhs-legacy"]) == ["0", "1", "2", "3", "4", "5"]
    assert sorted(SCHEMES["uk"]) == ["A", "B", "C"]
    assert sorted(SCHEMES["industry"]) == ["A1", "A2", "B1", "B2"]
    assert sorted(SCHEMES["icse-baseline"]) == ["baseline", "not-baseline"]


def test_the_same_digit_means_different_things_per_scheme() -> None:
    assert Category("projectvic-us", "0").label == "Non-pertinent"
    assert Category("dhs-legacy", "0").label == "Uncategorized"
    assert Category("dhs-legacy", "5").label == "Non-pertinent"
    with pytest.raises(InvalidSignalError):
        Category("projectvic-us", "5")


def test_codes_are_strings_and_display_round_trips() -> None:
    for scheme, codes in SCHEMES.items():
        for code in codes:
            category = Category(scheme, code)
            assert Category.parse(category.display()) == category
    with pytest.raises(InvalidSignalError):
        Category("projectvic-us", 1)  # type: ignore[arg-type]


def test_a_bare_code_is_read_only_in_a_scheme_someone_names() -> None:
    assert read_category("uk:A") == Category("uk", "A")
    assert read_category("1", "ProjectVIC-US") == Category("projectvic-us", "1")
    assert read_category("uk:B", "projectvic-us") == Category("uk", "B")
    with pytest.raises(InvalidSignalError, match="expected scheme:code"):
        read_category("1")
    with pytest.raises(InvalidFieldError, match="not a known scheme"):
        read_category("1", "cat")
    assert known_scheme(" UK ") == "uk"
