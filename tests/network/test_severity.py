from interlink.domain.categories import SCHEMES, Category
from interlink.network.severity import KNOWN_UNCATEGORISED, NEW_MEDIA, SEVERITY, severity


def test_every_category_of_every_scheme_has_a_severity() -> None:
    codes = {(scheme, code) for scheme, table in SCHEMES.items() for code in table}
    assert set(SEVERITY) == codes


def test_schemes_are_ordered_as_they_order_themselves() -> None:
    def s(scheme: str, code: str) -> float:
        return severity(Category(scheme, code), True)

    assert s("industry", "A1") > s("industry", "A2") > s("industry", "B1") > s("industry", "B2")
    assert s("uk", "A") > s("uk", "B") > s("uk", "C")
    assert s("projectvic-us", "1") > s("projectvic-us", "2") > s("projectvic-us", "0")
    assert s("dhs-legacy", "5") == s("projectvic-us", "0") == 0.0
    assert severity(None, True) == KNOWN_UNCATEGORISED and severity(None, False) == NEW_MEDIA
