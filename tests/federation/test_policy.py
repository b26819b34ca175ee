"""Policy files: the documented example parses; mistakes name their field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interlink.domain.errors import PolicyError
from interlink.domain.federation import Disclosure, OverlapMode, PeerPolicy, overlap_allowed
from interlink.federation.policy import parse_policy, policy_document

DOC = Path(__file__).parents[2] / "docs" / "federation-policy.md"


def _example() -> str:
    found = re.search(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert found is not None
    return found.group(1)


def test_the_documented_example_parses() -> None:
    policy = parse_policy(_example())
    assert policy.disclosure("ncmec-2026") is Disclosure.CATEGORY
    assert policy.disclosure("unknown") is None
    assert policy.overlap.mode is OverlapMode.INTERSECTION
    assert policy.deconfliction.send_watches
    assert overlap_allowed(policy, 0) is None
    assert overlap_allowed(policy, policy.overlap.per_day) is not None
    assert parse_policy(_example()) == policy
    assert policy_document(policy)["overlap"]["mode"] == "intersection"


def test_the_empty_policy_lets_nothing_flow() -> None:
    policy = parse_policy('format = "interlink-federation-policy/1"\n')
    assert policy == PeerPolicy()
    assert overlap_allowed(policy, 0) == "the policy allows no overlap queries"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('format = "other"', "format"),
        ('format = "interlink-federation-policy/1"\nshare = 1', "share"),
        (
            'format = "interlink-federation-policy/1"\n[[lists]]\nname = "x"\ndisclosure = "all"',
            "lists[1].disclosure",
        ),
        (
            'format = "interlink-federation-policy/1"\n[[lists]]\ndisclosure = "full"',
            "lists[1].name",
        ),
        (
            'format = "interlink-federation-policy/1"\n[overlap]\nmode = "size"\nper_day = 0',
            "overlap.per_day",
        ),
        (
            'format = "interlink-federation-policy/1"\n[overlap]\nmode = "size"\nper_day = 2\n'
            "near_duplicates = true",
            "overlap.near_duplicates",
        ),
        (
            'format = "interlink-federation-policy/1"\n[deconfliction]\nwatches = true',
            "deconfliction.watches",
        ),
        ("format = ", "(file)"),
    ],
)
def test_mistakes_name_the_field(text: str, field: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="p.toml")
    assert caught.value.field == field
    assert "p.toml" in str(caught.value)


def test_operation_figures_are_shared_only_when_the_policy_says_so() -> None:
    assert parse_policy(_example()).operations.share_figures is True
    assert PeerPolicy().operations.share_figures is False
    text = 'format = "interlink-federation-policy/1"\n[operations]\n'
    assert parse_policy(text).operations.share_figures is False
    shared = parse_policy(text + "share_figures = true\n")
    assert policy_document(shared)["operations"] == {"share_figures": True}
    for wrong, field in (
        ('share_figures = "yes"', "operations.share_figures"),
        ("figures = true", "operations.figures"),
    ):
        with pytest.raises(PolicyError) as caught:
            parse_policy(f"{text}{wrong}\n")
        assert caught.value.field == field
