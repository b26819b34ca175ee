import pytest

from interlink.domain.categories import Category
from interlink.domain.errors import InvalidSignalError


def test_category_needs_a_known_scheme_and_code() -> None:
    assert Category("uk", "A").label.startswith("Category A")
    assert Category.parse("industry:B1") == Category("industry", "B1")
    with pytest.raises(InvalidSignalError):
        Category("uk", "D")
    with pytest.raises(InvalidSignalError):
        Category("nowhere", "1")
    with pytest.raises(InvalidSignalError):
        Category.parse("1")
