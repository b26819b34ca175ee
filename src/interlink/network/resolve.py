"""Entity resolution: platform reports into typed nodes and edges, merging what is the same.

Rules (each merge is recorded as a ``Merge``):

- account: the same ``espService`` + ``espIdentifier`` in any report (``account``), or, for a
  user without an identifier, the same platform + case-folded screen name (``screen-name``);
- e-mail: case-folded (``email-casefold``); phone: E.164-like digits (``phone-e164``);
- device: same id type and value without separators (``device-id``);
- group: same platform + group identifier (``group``);
- IP: same address and port, with capture times chained by gaps of at most ``ip_window``
  (``ip-port-window``); an event without a time stays alone in its report;
- media: every hash of one file names the same media, and hashes shared between files join
  them (``file-hashes``); the node key is the strongest hash (sha256, sha1, md5, ...).

The platform's files are taken to have been shared by the report's reported users and, when
the report names intended recipients, received by them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from interlink.domain.reports import (
    EstimatedLocation,
    FileDetail,
    IpCaptureEvent,
    PlatformReport,
    ReceivedReport,
    ReportedPerson,
)
from interlink.domain.signals import Signal
from interlink.network import identifiers as ids
from interlink.network.model import GraphBuilder, NodeKind, Provenance, Relation
from interlink.network.ports import KnownInfo, KnownMedia

#: Hash types in the order their value names a media node.
HASH_PREFERENCE: tuple[str, ...] = ("sha256", "sha1", "md5", "pdq", "photodna")


@dataclass(frozen=True, slots=True)
class Merge:
    """Observations from several reports, or in several written forms, made one node."""

    kind: NodeKind
    key: str
    rule: str
    forms: tuple[str, ...]
    reports: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AccountEvidence:
    """What the reports say about where an account is: ``(record, report id)`` pairs."""

    locations: tuple[tuple[EstimatedLocation, str], ...] = ()
    ip_events: tuple[tuple[IpCaptureEvent, str], ...] = ()
    services: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    """The merges made, per-account location evidence, and what is known of each media node."""

    merges: tuple[Merge, ...]
    evidence: Mapping[int, AccountEvidence]
    known: Mapping[int, KnownInfo]
    viral: frozenset[int] = field(default=frozenset())


@dataclass(frozen=True, slots=True)
class ResolveSettings:
    """``ip_window``: the longest gap between two captures of one address and port that still
    makes them one IP node (6 hours by default: a session's span, short next to how long an
    ISP usually keeps a dynamic address with one subscriber)."""

    ip_window: timedelta = timedelta(hours=6)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, first: str, second: str) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _signal_text(signal: Signal) -> str:
    return f"{signal.type}:{signal.value}"


def _file_signals(detail: FileDetail) -> list[str]:
    found = [_signal_text(signal) for signal in detail.hashes]
    found += [f"other:{kind.strip().casefold()}:{value}" for kind, value in detail.other_hashes]
    return found


def _rank(text: str) -> tuple[int, str]:
    kind = text.partition(":")[0]
    order = HASH_PREFERENCE.index(kind) if kind in HASH_PREFERENCE else len(HASH_PREFERENCE)
    return order, text


class _Resolver:
    def __init__(self, builder: GraphBuilder, settings: ResolveSettings) -> None:
        self.builder = builder
        self.settings = settings
        self.seen: dict[tuple[NodeKind, str], tuple[str, set[str], set[str]]] = {}
        self.evidence: dict[
            int,
            tuple[list[tuple[EstimatedLocation, str]], list[tuple[IpCaptureEvent, str]], set[str]],
        ] = {}
        self.ip_windows: dict[tuple[str, int | None, int], str] = {}
        self.media_key: dict[str, str] = {}

    def observe(self, kind: NodeKind, key: str, rule: str, form: str, report: str) -> int:
        entry = self.seen.setdefault((kind, key), (rule, set(), set()))
        entry[1].add(form)
        entry[2].add(report)
        return self.builder.node(kind, key)

    def plan_ip_windows(self, reports: Sequence[ReceivedReport]) -> None:
        times: dict[tuple[str, int | None], set[int]] = defaultdict(set)
        for received in reports:
            for event in _all_ip_events(received.report):
                if event.date_time is not None:
                    times[(event.ip_address, event.port)].add(int(event.date_time.timestamp()))
        gap = int(self.settings.ip_window.total_seconds())
        for (address, port), moments in times.items():
            ordered = sorted(moments)
            start = previous = ordered[0]
            for moment in ordered:
                if moment - previous > gap:
                    start = moment
                previous = moment
                self.ip_windows[(address, port, moment)] = str(start)

    def plan_media(self, reports: Sequence[ReceivedReport]) -> None:
        union = _UnionFind()
        for received in reports:
            for detail in received.report.files:
                signals = _file_signals(detail)
                for signal in signals:
                    union.find(signal)
                for other in signals[1:]:
                    union.union(signals[0], other)
        groups: dict[str, list[str]] = defaultdict(list)
        for signal in union.parent:
            groups[union.find(signal)].append(signal)
        for members in groups.values():
            best = min(members, key=_rank)
            for member in members:
                self.media_key[member] = best

    def account(self, person: ReportedPerson, report: PlatformReport, slot: str) -> int:
        if person.esp_identifier:
            key = ids.account_key(person.esp_service, person.esp_identifier)
            node = self.observe(
                NodeKind.ACCOUNT, key, "account", person.esp_identifier, report.report_id
            )
        elif person.screen_name:
            key = ids.screen_name_key(person.esp_service, person.screen_name)
            node = self.observe(
                NodeKind.ACCOUNT, key, "screen-name", person.screen_name, report.report_id
            )
        else:
            key = f"{ids.service_key(person.esp_service)}/{report.report_id}#{slot}"
            node = self.observe(NodeKind.ACCOUNT, key, "unnamed", key, report.report_id)
        label = person.screen_name or person.esp_identifier
        if label:
            self.builder.node(NodeKind.ACCOUNT, key, label)
        return node

    def ip_node(self, event: IpCaptureEvent, report_id: str) -> int:
        if event.date_time is None:
            window = f"r{report_id}"
        else:
            window = self.ip_windows[
                (event.ip_address, event.port, int(event.date_time.timestamp()))
            ]
        key = ids.ip_key(event.ip_address, event.port, window)
        node = self.observe(NodeKind.IP, key, "ip-port-window", event.ip_address, report_id)
        self.builder.node(
            NodeKind.IP,
            key,
            event.ip_address if event.port is None else f"{event.ip_address}:{event.port}",
        )
        if event.date_time is not None:
            moment = event.date_time.isoformat()
            details = self.builder.details_of(node)
            if "first_seen" not in details or moment < details["first_seen"]:
                self.builder.detail(node, "first_seen", moment)
            if "last_seen" not in details or moment > details["last_seen"]:
                self.builder.detail(node, "last_seen", moment)
        return node

    def person(
        self,
        person: ReportedPerson,
        account: int,
        report: PlatformReport,
        provenance: Provenance,
    ) -> None:
        edge = self.builder.edge
        time = report.incident_time
        rid = report.report_id
        for address in person.emails:
            node = self.observe(
                NodeKind.EMAIL, ids.email_key(address), "email-casefold", address, rid
            )
            edge(account, node, Relation.USES_EMAIL, time=time, provenance=provenance)
        for number in person.phones:
            key = ids.phone_key(number)
            if key.lstrip("+"):
                node = self.observe(NodeKind.PHONE, key, "phone-e164", number, rid)
                edge(account, node, Relation.USES_PHONE, time=time, provenance=provenance)
        for device in person.device_ids:
            node = self.observe(
                NodeKind.DEVICE, ids.device_key(device), "device-id", device.id_value, rid
            )
            edge(
                account,
                node,
                Relation.USED_DEVICE,
                time=device.date_time or time,
                provenance=provenance,
            )
        for event in person.ip_events:
            self.ip_edge(account, event, rid, provenance)
        if person.group_identifier:
            key = ids.group_key(person.esp_service, person.group_identifier)
            node = self.observe(NodeKind.GROUP, key, "group", person.group_identifier, rid)
            self.builder.node(NodeKind.GROUP, key, person.group_identifier)
            edge(account, node, Relation.MEMBER_OF, time=time, provenance=provenance)
        for prior in person.prior_reports:
            node = self.observe(NodeKind.REPORT, prior, "report", prior, rid)
            edge(account, node, Relation.PRIOR_REPORT, time=time, provenance=provenance)
        locations, events, services = self.evidence.setdefault(account, ([], [], set()))
        if person.estimated_location is not None:
            locations.append((person.estimated_location, rid))
        events.extend((event, rid) for event in person.ip_events)
        services.add(ids.service_key(person.esp_service))

    def ip_edge(
        self, account: int, event: IpCaptureEvent, report_id: str, provenance: Provenance
    ) -> None:
        confidence = 0.9 if event.port is not None else 0.6
        if event.possible_proxy:
            confidence *= 0.3
        node = self.ip_node(event, report_id)
        self.builder.edge(
            account,
            node,
            Relation.USED_IP,
            time=event.date_time,
            confidence=confidence,
            provenance=provenance,
        )

    def report(self, received: ReceivedReport) -> dict[int, list[str]]:
        report = received.report
        rid = report.report_id
        provenance = Provenance(rid, received.agency, received.case)
        node = self.builder.node(NodeKind.REPORT, rid)
        self.seen.setdefault((NodeKind.REPORT, rid), ("report", {rid}, {rid}))
        if report.platform:
            self.builder.detail(node, "platform", report.platform)
        if report.incident_type:
            self.builder.detail(node, "incident_type", report.incident_type)
        if received.case:
            case = self.builder.node(NodeKind.CASE, received.case)
            self.builder.edge(node, case, Relation.IN_CASE, provenance=provenance)
        time = report.incident_time
        senders = []
        for slot, person in enumerate(report.reported):
            account = self.account(person, report, f"reported{slot}")
            senders.append(account)
            self.builder.edge(account, node, Relation.REPORTED_IN, time=time, provenance=provenance)
            self.person(person, account, report, provenance)
        receivers = []
        for slot, person in enumerate(report.recipients):
            account = self.account(person, report, f"recipient{slot}")
            receivers.append(account)
            self.builder.edge(
                account, node, Relation.RECIPIENT_IN, time=time, provenance=provenance
            )
            self.person(person, account, report, provenance)
        for sender in senders:
            for receiver in receivers:
                if sender != receiver:
                    self.builder.edge(
                        sender,
                        receiver,
                        Relation.SENT_TO,
                        time=time,
                        confidence=0.8,
                        provenance=provenance,
                    )
        media_signals: dict[int, list[str]] = {}
        for detail in report.files:
            signals = _file_signals(detail)
            if not signals:
                continue
            key = self.media_key[signals[0]]
            media = self.builder.node(NodeKind.MEDIA, key, detail.file_name)
            for signal in signals:
                self.observe(NodeKind.MEDIA, key, "file-hashes", signal, rid)
            media_signals.setdefault(media, []).extend(signals)
            shared_at = detail.uploaded_at or time
            for sender in senders:
                self.builder.edge(
                    sender, media, Relation.SHARED, time=shared_at, provenance=provenance
                )
                if detail.ip_event is not None:
                    self.ip_edge(sender, detail.ip_event, rid, provenance)
                    self.evidence[sender][1].append((detail.ip_event, rid))
            for receiver in receivers:
                self.builder.edge(
                    receiver,
                    media,
                    Relation.RECEIVED,
                    time=shared_at,
                    confidence=0.8,
                    provenance=provenance,
                )
        return media_signals


def _all_ip_events(report: PlatformReport) -> Iterable[IpCaptureEvent]:
    for person in (*report.reported, *report.recipients):
        yield from person.ip_events
    for detail in report.files:
        if detail.ip_event is not None:
            yield detail.ip_event


def _known_media(
    media_signals: Mapping[int, Sequence[str]], known: KnownMedia
) -> dict[int, KnownInfo]:
    by_type: dict[str, set[str]] = defaultdict(set)
    for signals in media_signals.values():
        for signal in signals:
            kind, _, value = signal.partition(":")
            if kind != "other":
                by_type[kind].add(value)
    answers = {kind: known.lookup(kind, sorted(values)) for kind, values in by_type.items()}
    found: dict[int, KnownInfo] = {}
    for media, signals in media_signals.items():
        for signal in sorted(set(signals), key=_rank):
            kind, _, value = signal.partition(":")
            info = answers.get(kind, {}).get(value)
            if info is not None:
                found[media] = info
                break
    return found


def resolve(
    reports: Iterable[ReceivedReport],
    builder: GraphBuilder,
    known: KnownMedia,
    settings: ResolveSettings | None = None,
) -> Resolution:
    """Add the nodes and edges of ``reports`` to ``builder``; return the merges made, the
    location evidence per account node, and what is known of each media node."""
    received = list(reports)
    resolver = _Resolver(builder, settings or ResolveSettings())
    resolver.plan_ip_windows(received)
    resolver.plan_media(received)
    media_signals: dict[int, list[str]] = {}
    viral: set[int] = set()
    for item in received:
        for media, signals in resolver.report(item).items():
            media_signals.setdefault(media, []).extend(signals)
        for detail in item.report.files:
            signals = _file_signals(detail)
            if detail.viral and signals:
                found = builder.find(NodeKind.MEDIA, resolver.media_key[signals[0]])
                if found is not None:
                    viral.add(found)
    merges = tuple(
        Merge(kind, key, rule, tuple(sorted(forms)), tuple(sorted(report_ids)))
        for (kind, key), (rule, forms, report_ids) in resolver.seen.items()
        if len(report_ids) > 1 or len(forms) > 1
    )
    evidence = {
        account: AccountEvidence(tuple(locations), tuple(events), tuple(sorted(services)))
        for account, (locations, events, services) in resolver.evidence.items()
    }
    return Resolution(merges, evidence, _known_media(media_signals, known), frozenset(viral))
