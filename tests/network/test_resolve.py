from datetime import UTC, datetime, timedelta

from interlink.adapters.memory.networks import InMemoryKnownMedia
from interlink.domain.categories import Category
from interlink.domain.reports import (
    EstimatedLocation,
    EventName,
    FileDetail,
    IpCaptureEvent,
    PlatformReport,
    ReceivedReport,
    ReportedPerson,
)
from interlink.domain.signals import Signal
from interlink.network.model import GraphBuilder, NodeKind, Relation
from interlink.network.ports import KnownInfo
from interlink.network.resolve import ResolveSettings, resolve

T0 = datetime(2024, 6, 1, 12, tzinfo=UTC)
MD5 = "a" * 32
SHA = "b" * 64


def _event(address: str, port: int | None, hours: float) -> IpCaptureEvent:
    return IpCaptureEvent(address, EventName.LOGIN, T0 + timedelta(hours=hours), port)


def _reports() -> list[ReceivedReport]:
    first = PlatformReport(
        "r1",
        incident_time=T0,
        reported=(
            ReportedPerson(
                "Chatly",
                "42",
                "alpha",
                emails=("Alpha@Example.org",),
                phones=("+49 30 1234567",),
                ip_events=(_event("198.51.100.1", 5000, 0), _event("198.51.100.1", None, 0)),
                group_identifier="g",
            ),
        ),
        recipients=(ReportedPerson("Chatly", "43"),),
        files=(FileDetail("f", hashes=(Signal("md5", MD5),)),),
    )
    second = PlatformReport(
        "r2",
        incident_time=T0,
        reported=(
            ReportedPerson(
                "chatly ",
                "42",
                emails=("alpha@example.org",),
                phones=("0049-30-1234567",),
                ip_events=(_event("198.51.100.1", 5000, 3), _event("198.51.100.1", 5000, 20)),
                estimated_location=EstimatedLocation("DE", verified=True),
            ),
            ReportedPerson("PicShare", "42", group_identifier="g"),
        ),
        files=(
            FileDetail(
                "f2",
                hashes=(Signal("md5", MD5), Signal("sha256", SHA)),
                annotations=frozenset({"viral"}),
            ),
        ),
    )
    third = PlatformReport(
        "r3",
        reported=(
            ReportedPerson(screen_name="Ghost", ip_events=(IpCaptureEvent("198.51.100.1"),)),
        ),
    )
    return [
        ReceivedReport(first, "NCMEC", "op"),
        ReceivedReport(second, "NCMEC"),
        ReceivedReport(third),
    ]


def test_the_same_identifier_across_reports_is_one_node_and_each_merge_is_recorded() -> None:
    builder = GraphBuilder()
    known = InMemoryKnownMedia({("sha256", SHA): KnownInfo(Category("uk", "A"), "series-1")})
    resolution = resolve(_reports(), builder, known, ResolveSettings(ip_window=timedelta(hours=6)))
    graph = builder.build()
    index = graph.index()
    accounts = {graph.keys[node] for node in graph.nodes_of(NodeKind.ACCOUNT)}
    assert accounts == {"chatly/42", "chatly/43", "picshare/42", "unknown/@ghost"}
    merges = {(merge.kind, merge.key): merge for merge in resolution.merges}
    account = merges[(NodeKind.ACCOUNT, "chatly/42")]
    assert account.rule == "account" and account.reports == ("r1", "r2")
    email = merges[(NodeKind.EMAIL, "alpha@example.org")]
    assert email.rule == "email-casefold"
    assert email.forms == ("Alpha@Example.org", "alpha@example.org")
    assert merges[(NodeKind.PHONE, "+49301234567")].rule == "phone-e164"
    media = merges[(NodeKind.MEDIA, f"sha256:{SHA}")]
    assert media.forms == (f"md5:{MD5}", f"sha256:{SHA}") and media.reports == ("r1", "r2")
    media_node = index[(NodeKind.MEDIA, f"sha256:{SHA}")]
    assert resolution.known[media_node].series == "series-1"
    assert resolution.viral == {media_node}
    # Groups are per platform: the PicShare user is not in the Chatly group.
    assert (NodeKind.GROUP, "chatly/g") in index and (NodeKind.GROUP, "picshare/g") in index
    sender = index[(NodeKind.ACCOUNT, "chatly/42")]
    location = resolution.evidence[sender].locations[0]
    assert location[0].country_code == "DE" and location[1] == "r2"


def test_ip_captures_chain_into_windows_per_address_and_port() -> None:
    builder = GraphBuilder()
    resolve(
        _reports(), builder, InMemoryKnownMedia(), ResolveSettings(ip_window=timedelta(hours=6))
    )
    graph = builder.build()
    ip_keys = sorted(graph.keys[node] for node in graph.nodes_of(NodeKind.IP))
    start = str(int(T0.timestamp()))
    late = str(int((T0 + timedelta(hours=20)).timestamp()))
    assert ip_keys == sorted(
        [
            f"198.51.100.1|5000|{start}",  # 0 h and 3 h: one window
            f"198.51.100.1|5000|{late}",  # 20 h: a gap of 17 h starts a new window
            f"198.51.100.1|-|{start}",  # no port: another node
            "198.51.100.1|-|rr3",  # no time: alone in its report
        ]
    )


def test_edges_carry_provenance_and_relations() -> None:
    builder = GraphBuilder()
    resolve(_reports(), builder, InMemoryKnownMedia())
    graph = builder.build()
    index = graph.index()
    sender = index[(NodeKind.ACCOUNT, "chatly/42")]
    receiver = index[(NodeKind.ACCOUNT, "chatly/43")]
    sent = [edge for edge in graph.edges() if edge.relation is Relation.SENT_TO]
    assert [(edge.source, edge.target) for edge in sent] == [(sender, receiver)]
    assert sent[0].provenance is not None and sent[0].provenance.agency == "NCMEC"
    received = [edge for edge in graph.edges() if edge.relation is Relation.RECEIVED]
    assert [edge.source for edge in received] == [receiver]
    in_case = [edge for edge in graph.edges() if edge.relation is Relation.IN_CASE]
    assert [graph.keys[edge.target] for edge in in_case] == ["op"]
    proxy_free = [edge for edge in graph.edges() if edge.relation is Relation.USED_IP]
    assert {round(edge.confidence, 2) for edge in proxy_free} == {0.9, 0.6}
