from interlink.domain.categories import Category
from interlink.formats.vics.profiles import (
    DEFAULT_CATEGORY_MAP,
    category_of,
    code_of,
    context_key,
    context_url,
    parse_context,
)


def test_contexts_of_both_odata_versions_are_read() -> None:
    v2 = parse_context(
        "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases"
    )
    assert (v2.version, v2.profile, v2.kind) == ("2.0", "UK", "Cases")
    v1 = parse_context("http://github.com/ICMEC/ProjectVic/DataModels/1.2.xml#Media")
    assert (v1.version, v1.profile, v1.kind) == ("1.2", "US", "Media")
    other = parse_context("http://example.org/whatever")
    assert (other.version, other.profile, other.kind) == (None, None, None)


def test_context_urls_round_trip() -> None:
    for version in ("1.1", "1.3", "2.0"):
        for kind in ("Cases", "Media"):
            context = parse_context(context_url(version, "US", kind))
            assert (context.version, context.profile, context.kind) == (version, "US", kind)
    assert context_key("1.3") == "odata.metadata"
    assert context_key("2.0") == "@odata.context"


def test_the_us_profile_numbering_is_projectvic_us_in_both_directions() -> None:
    for code in "01234":
        category = category_of(code, "us", DEFAULT_CATEGORY_MAP)
        assert category == Category("projectvic-us", code)
        assert code_of(category, "US", DEFAULT_CATEGORY_MAP) == code
    assert category_of("1", "UK", DEFAULT_CATEGORY_MAP) is None
    assert category_of(None, "US", DEFAULT_CATEGORY_MAP) is None
    assert code_of(Category("uk", "A"), "US", DEFAULT_CATEGORY_MAP) is None
    assert code_of(Category("uk", "A"), "UK", DEFAULT_CATEGORY_MAP) is None
