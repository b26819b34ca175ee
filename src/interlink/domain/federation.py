"""Federation between national nodes: the policy that says what flows to one peer, and the pure
rules that apply it.

A ``PeerPolicy`` is held by *this* node about *one* peer and governs only what this node lets
flow *to* that peer: the lists it shares and at which disclosure level, whether deconfliction
watches and hits cross, whether (and how often) the peer may run private overlap queries
against this node, and whether the figures of joined operations are shared. What a peer lets
flow back is governed by the peer's own policy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from interlink.domain.lists import ListEntry


class Disclosure(Enum):
    """How much of a shared list entry a peer receives.

    - ``hashes``: the signals only (every hash the entry has, PDQ quality included);
    - ``category``: also its category and media kind;
    - ``full``: also its series, the victim / offender / distributed flags and the agency that
      vouches for it.

    The origin's own id for the entry (a VICS MD5, an ICSE image id) never crosses: the peer
    receives an opaque key derived from it.
    """

    HASHES = "hashes"
    CATEGORY = "category"
    FULL = "full"


class OverlapMode(Enum):
    """What a peer's private overlap query may learn: nothing (refused), only how many of its
    items this node holds, or which ones."""

    NONE = "none"
    SIZE = "size"
    INTERSECTION = "intersection"


@dataclass(frozen=True, slots=True)
class SharedList:
    """One list shared with the peer, at one disclosure level."""

    name: str
    disclosure: Disclosure


@dataclass(frozen=True, slots=True)
class DeconflictionRules:
    """Whether this node's watches are sent to the peer (so its scans can raise hits), and
    whether hits of the peer's watches on this node's cases are reported back to it."""

    send_watches: bool = False
    report_hits: bool = False


@dataclass(frozen=True, slots=True)
class OverlapRules:
    """Whether the peer may query the overlap of its media with this node's, and how.

    ``lists`` are the lists (besides this node's case media, when ``cases``) whose hashes
    answer; ``contact`` says whether a verified match names the agency and case reference to
    contact; ``near_duplicates`` whether PDQ near-duplicates are searched (only with
    ``intersection``); ``pdq_radius`` the largest Hamming distance a near-duplicate may have.
    """

    mode: OverlapMode = OverlapMode.NONE
    per_day: int = 0
    lists: tuple[str, ...] = ()
    cases: bool = False
    contact: bool = False
    near_duplicates: bool = False
    pdq_radius: int = 31


@dataclass(frozen=True, slots=True)
class OperationRules:
    """Whether the figures of this node's operations joined with the peer's (both sides
    linked the same operation reference) are shared with it: aggregate counts only."""

    share_figures: bool = False


@dataclass(frozen=True, slots=True)
class PeerPolicy:
    """What this node lets flow to one peer. The default policy lets nothing flow."""

    peer: str | None = None
    lists: tuple[SharedList, ...] = ()
    deconfliction: DeconflictionRules = DeconflictionRules()
    overlap: OverlapRules = OverlapRules()
    operations: OperationRules = OperationRules()

    def disclosure(self, list_name: str) -> Disclosure | None:
        """The disclosure level at which ``list_name`` is shared, or ``None`` if it is not."""
        for shared in self.lists:
            if shared.name == list_name:
                return shared.disclosure
        return None

    def shared_lists(self) -> tuple[str, ...]:
        """The names of the lists the peer may pull."""
        return tuple(shared.name for shared in self.lists)


def entry_view(entry: ListEntry, disclosure: Disclosure, *, agency: str | None) -> ListEntry:
    """What of ``entry`` a peer receives at ``disclosure``: a new entry holding only the
    disclosed fields (``agency``, the vouching agency, is only disclosed at ``full``; the
    returned entry carries it as its ``agency`` extra). ``external_id`` and other extras never
    cross."""
    kept = replace(
        ListEntry(signals=entry.signals),
        category=entry.category if disclosure is not Disclosure.HASHES else None,
        media_kind=entry.media_kind if disclosure is not Disclosure.HASHES else None,
    )
    if disclosure is not Disclosure.FULL:
        return kept
    return replace(
        kept,
        series=entry.series,
        victim_identified=entry.victim_identified,
        offender_identified=entry.offender_identified,
        distributed=entry.distributed,
        extra=(("agency", agency),) if agency else (),
    )


def overlap_allowed(policy: PeerPolicy, used_today: int) -> str | None:
    """Why the peer may not run one more overlap query today, or ``None`` if it may."""
    rules = policy.overlap
    if rules.mode is OverlapMode.NONE:
        return "the policy allows no overlap queries"
    if used_today >= rules.per_day:
        return f"the policy's {rules.per_day} overlap queries a day are spent"
    if not rules.cases and not rules.lists:
        return "the policy names nothing to compare with"
    return None
