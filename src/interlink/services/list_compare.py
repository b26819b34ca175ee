"""Compare two lists: what only one holds, and what both hold but describe differently.

Items are matched across the lists by their strongest hash (SHA-256, else SHA-1, MD5, ...),
since the lists' own ids for an item mean nothing to each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from interlink.adapters.sql.list_history import describe
from interlink.adapters.sql.store import SqlStore
from interlink.domain.lists import hash_key

#: Examples kept of each kind of difference.
SAMPLES = 20


@dataclass(frozen=True, slots=True)
class ListDiff:
    """Counts of items only in A, only in B, in both alike, and in both with differences,
    with a few examples of each difference."""

    a: str
    b: str
    only_a: int
    only_b: int
    same: int
    different: int
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def diff_lists(store: SqlStore, a: str, b: str) -> ListDiff:
    """How list ``b`` differs from list ``a``."""
    first = {
        key: describe(entry)
        for _, entry in store.lists.entries(store.lists.get(a).id)
        if (key := hash_key(entry)) is not None
    }
    only_b = same = different = 0
    samples: dict[str, list[dict[str, Any]]] = {"only_a": [], "only_b": [], "different": []}
    for _, entry in store.lists.entries(store.lists.get(b).id):
        key = hash_key(entry)
        if key is None:
            continue
        theirs = describe(entry)
        mine = first.pop(key, None)
        if mine is None:
            only_b += 1
            if len(samples["only_b"]) < SAMPLES:
                samples["only_b"].append({"item": key, **theirs})
        elif mine == theirs:
            same += 1
        else:
            different += 1
            if len(samples["different"]) < SAMPLES:
                changes = {k: [mine[k], theirs[k]] for k in mine if mine[k] != theirs[k]}
                samples["different"].append({"item": key, "changes": changes})
    samples["only_a"] = [{"item": key, **rest} for key, rest in list(first.items())[:SAMPLES]]
    return ListDiff(a, b, len(first), only_b, same, different, samples)
