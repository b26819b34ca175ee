import interlink

EXPECTED = {
    "Category",
    "HashList",
    "InterlinkError",
    "Layer",
    "ListEntry",
    "Match",
    "Media",
    "MediaKind",
    "Problem",
    "ProblemKind",
    "Signal",
    "Sighting",
    "SourceRef",
    "__version__",
}


def test_public_api_is_pinned() -> None:
    assert set(interlink.__all__) == EXPECTED
    for name in interlink.__all__:
        assert hasattr(interlink, name), name
