"""Who may call each route, declared on the route itself and published in the OpenAPI
document (``x-interlink-rule``). The services enforce the rules; the declaration is what the
authorisation-matrix test expects of them, so a route without one fails the suite.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from interlink.domain.principal import Capability

RULE_KEY = "x-interlink-rule"


@dataclass(frozen=True, slots=True)
class Rule:
    """``public``: anyone; else an authenticated principal holding any of ``capabilities``
    (none: any authenticated principal). ``scoped``: the route names a record of the
    caller's own agency, which another agency's principal must not reach unless it holds one
    of the node-wide capabilities in ``reach``."""

    capabilities: tuple[Capability, ...] = ()
    public: bool = False
    scoped: bool = False
    all_of: bool = False
    reach: tuple[Capability, ...] = ()
    second_factor: bool = False
    #: Node to node: only a pinned peer's signed request (no user, whatever their role).
    peer: bool = False

    def allows(self, held: Iterable[Capability]) -> bool:
        """Whether a principal holding ``held`` passes the capability check."""
        if self.peer:
            return False
        have = set(held)
        if self.all_of:
            return set(self.capabilities) <= have
        return not self.capabilities or bool(set(self.capabilities) & have)


def _extra(rule: Rule) -> dict[str, Any]:
    return {
        RULE_KEY: {
            "public": rule.public,
            "capabilities": [c.value for c in rule.capabilities],
            "scoped": rule.scoped,
            "all_of": rule.all_of,
            "reach": [c.value for c in rule.reach],
            "second_factor": rule.second_factor,
            "peer": rule.peer,
        }
    }


def public() -> dict[str, Any]:
    """``openapi_extra`` of a route anyone may call."""
    return _extra(Rule(public=True))


def peer() -> dict[str, Any]:
    """``openapi_extra`` of a node-to-node route: a pinned peer's signed request only."""
    return _extra(Rule(peer=True))


def authenticated(*, scoped: bool = False, reach: Iterable[Capability] = ()) -> dict[str, Any]:
    """``openapi_extra`` of a route any authenticated principal may call."""
    return _extra(Rule(scoped=scoped, reach=tuple(reach)))


def needs(
    *capabilities: Capability,
    scoped: bool = False,
    all_of: bool = False,
    reach: Iterable[Capability] = (),
    second_factor: bool = False,
) -> dict[str, Any]:
    """``openapi_extra`` of a route that needs any of ``capabilities`` (all of them with
    ``all_of``; after a second-factor login with ``second_factor``)."""
    return _extra(
        Rule(
            tuple(capabilities),
            scoped=scoped,
            all_of=all_of,
            reach=tuple(reach),
            second_factor=second_factor,
        )
    )


def rule_of(openapi_extra: dict[str, Any] | None) -> Rule | None:
    """The rule a route declared, or ``None``."""
    raw = (openapi_extra or {}).get(RULE_KEY)
    if raw is None:
        return None
    return Rule(
        tuple(Capability(c) for c in raw["capabilities"]),
        public=bool(raw["public"]),
        scoped=bool(raw["scoped"]),
        all_of=bool(raw.get("all_of", False)),
        reach=tuple(Capability(c) for c in raw.get("reach", ())),
        second_factor=bool(raw.get("second_factor", False)),
        peer=bool(raw.get("peer", False)),
    )
