"""Reading a federation policy file (TOML; the format is ``docs/federation-policy.md``).

Parsing is strict: an unknown key, a value of the wrong type or a value outside its set is a
``PolicyError`` naming the field as a dotted path (``lists[2].disclosure``), so a policy never
lets more flow than its author meant because of a typo.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

from interlink.domain.errors import PolicyError
from interlink.domain.federation import (
    DeconflictionRules,
    Disclosure,
    OperationRules,
    OverlapMode,
    OverlapRules,
    PeerPolicy,
    SharedList,
)

FORMAT = "interlink-federation-policy/1"

_E = TypeVar("_E", bound=Enum)

_TOP = {"format", "peer", "lists", "deconfliction", "overlap", "operations"}
_LIST = {"name", "disclosure"}
_DECONFLICTION = {"send_watches", "report_hits"}
_OPERATIONS = {"share_figures"}
_OVERLAP = {"mode", "per_day", "lists", "cases", "contact", "near_duplicates", "pdq_radius"}


class _Reader:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def fail(self, field: str, reason: str) -> PolicyError:
        return PolicyError(field, reason, self.source)

    def table(self, value: Any, field: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, "must be a table")
        for key in value:
            if key not in allowed:
                raise self.fail(
                    f"{field}.{key}" if field else key,
                    f"unknown field (expected one of: {', '.join(sorted(allowed))})",
                )
        return value

    def string(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, "must be a non-empty string")
        return value.strip()

    def boolean(self, value: Any, field: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(field, "must be true or false")
        return value

    def integer(self, value: Any, field: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(field, f"must be a whole number from {low} to {high}")
        return value

    def choice(self, value: Any, field: str, kind: type[_E]) -> _E:
        names = [member.value for member in kind]
        if value not in names:
            raise self.fail(field, f"must be one of: {', '.join(names)} (got {value!r})")
        return kind(value)


def parse_policy(text: str, *, source: str | None = None) -> PeerPolicy:
    """The policy in TOML ``text``; ``source`` (a file name) is named in errors."""
    read = _Reader(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise read.fail("(file)", f"not valid TOML: {exc}") from exc
    top = read.table(data, "", _TOP)
    if top.get("format") != FORMAT:
        raise read.fail("format", f"must be {FORMAT!r} (got {top.get('format')!r})")
    peer = read.string(top["peer"], "peer") if "peer" in top else None
    lists = _lists(read, top.get("lists", []))
    deconfliction = DeconflictionRules()
    if "deconfliction" in top:
        table = read.table(top["deconfliction"], "deconfliction", _DECONFLICTION)
        deconfliction = DeconflictionRules(
            send_watches=read.boolean(
                table.get("send_watches", False), "deconfliction.send_watches"
            ),
            report_hits=read.boolean(table.get("report_hits", False), "deconfliction.report_hits"),
        )
    overlap = _overlap(read, top["overlap"]) if "overlap" in top else OverlapRules()
    operations = OperationRules()
    if "operations" in top:
        table = read.table(top["operations"], "operations", _OPERATIONS)
        operations = OperationRules(
            share_figures=read.boolean(
                table.get("share_figures", False), "operations.share_figures"
            )
        )
    return PeerPolicy(
        peer=peer,
        lists=lists,
        deconfliction=deconfliction,
        overlap=overlap,
        operations=operations,
    )


def _lists(read: _Reader, value: Any) -> tuple[SharedList, ...]:
    if not isinstance(value, list):
        raise read.fail("lists", "must be an array of tables ([[lists]])")
    shared: list[SharedList] = []
    seen: set[str] = set()
    for number, item in enumerate(value, start=1):
        field = f"lists[{number}]"
        table = read.table(item, field, _LIST)
        if "name" not in table:
            raise read.fail(f"{field}.name", "is required")
        name = read.string(table["name"], f"{field}.name")
        if name in seen:
            raise read.fail(f"{field}.name", f"list {name!r} is named twice")
        seen.add(name)
        disclosure = read.choice(
            table.get("disclosure", Disclosure.HASHES.value), f"{field}.disclosure", Disclosure
        )
        shared.append(SharedList(name, disclosure))
    return tuple(shared)


def _overlap(read: _Reader, value: Any) -> OverlapRules:
    table = read.table(value, "overlap", _OVERLAP)
    mode = read.choice(table.get("mode", "none"), "overlap.mode", OverlapMode)
    per_day = read.integer(table.get("per_day", 0), "overlap.per_day", 0, 100_000)
    if mode is not OverlapMode.NONE and per_day == 0:
        raise read.fail("overlap.per_day", "must be 1 or more when overlap.mode allows queries")
    names = table.get("lists", [])
    if not isinstance(names, list):
        raise read.fail("overlap.lists", "must be an array of list names")
    lists = tuple(read.string(n, f"overlap.lists[{i}]") for i, n in enumerate(names, start=1))
    near = read.boolean(table.get("near_duplicates", False), "overlap.near_duplicates")
    if near and mode is not OverlapMode.INTERSECTION:
        raise read.fail(
            "overlap.near_duplicates", "needs overlap.mode = 'intersection' (verification)"
        )
    return OverlapRules(
        mode=mode,
        per_day=per_day,
        lists=lists,
        cases=read.boolean(table.get("cases", False), "overlap.cases"),
        contact=read.boolean(table.get("contact", False), "overlap.contact"),
        near_duplicates=near,
        pdq_radius=read.integer(table.get("pdq_radius", 31), "overlap.pdq_radius", 0, 64),
    )


def policy_document(policy: PeerPolicy) -> dict[str, Any]:
    """The policy as plain data (what ``peers show --json`` prints and the store keeps)."""
    return {
        "format": FORMAT,
        "peer": policy.peer,
        "lists": [{"name": s.name, "disclosure": s.disclosure.value} for s in policy.lists],
        "deconfliction": {
            "send_watches": policy.deconfliction.send_watches,
            "report_hits": policy.deconfliction.report_hits,
        },
        "overlap": {
            "mode": policy.overlap.mode.value,
            "per_day": policy.overlap.per_day,
            "lists": list(policy.overlap.lists),
            "cases": policy.overlap.cases,
            "contact": policy.overlap.contact,
            "near_duplicates": policy.overlap.near_duplicates,
            "pdq_radius": policy.overlap.pdq_radius,
        },
        "operations": {"share_figures": policy.operations.share_figures},
    }
