from __future__ import annotations

from datetime import UTC, datetime

from interlink.adapters.memory.networks import InMemoryKnownMedia
from interlink.domain.chats import ChatThread, Participant
from interlink.domain.reports import PlatformReport, ReceivedReport, ReportedPerson
from interlink.network.model import NodeKind, Relation
from interlink.network.pipeline import build_networks
from interlink.network.ports import KnownInfo

WHEN = datetime(2024, 3, 1, tzinfo=UTC)
SHA = "ab" * 32


def _threads() -> list[ChatThread]:
    pair = ChatThread(
        "telegram",
        "telegram:55",
        "Robin",
        False,
        (
            Participant("user1001", "Sam"),
            Participant("user55", "Robin", "+33612345678", owner=True),
        ),
        senders=(("user1001", WHEN), ("user55", WHEN)),
        shared=(("user1001", SHA, WHEN),),
        written=(
            ("user1001", "invite", "telegram:AbCdEfGh1234"),
            ("user1001", "email", "S@X.test"),
        ),
        case="C1",
        agency="Unit",
    )
    group = ChatThread(
        "whatsapp",
        "whatsapp:abc",
        "Friends",
        True,
        (Participant(name="Alex"), Participant(phone="+447911123456"), Participant(name="Jo")),
        senders=(("name:Alex", None),),
        case="C1",
    )
    return [pair, group]


def test_chat_accounts_join_report_accounts_when_ids_agree() -> None:
    report = PlatformReport(
        "R1",
        platform="Telegram",
        incident_time=WHEN,
        reported=(
            ReportedPerson(esp_service="Telegram", esp_identifier="1001", screen_name="sam"),
        ),
    )
    known = InMemoryKnownMedia({("sha256", SHA): KnownInfo(lists=("known",))})
    built = build_networks(
        [ReceivedReport(report, "NCMEC", "C9")],
        known,
        build_id="b",
        created_at=WHEN,
        chats=_threads(),
    )
    graph = built.graph
    index = graph.index()
    sam = index[(NodeKind.ACCOUNT, "telegram/1001")]
    robin = index[(NodeKind.ACCOUNT, "telegram/55")]
    edges = [(e.source, e.target, e.relation, e.provenance) for e in graph.edges()]
    relations = {(s, t, r) for s, t, r, _ in edges}
    assert (sam, index[(NodeKind.REPORT, "R1")], Relation.REPORTED_IN) in relations
    assert (sam, robin, Relation.SENT_TO) in relations
    media = index[(NodeKind.MEDIA, f"sha256:{SHA}")]
    assert {(sam, media, Relation.SHARED), (robin, media, Relation.RECEIVED)} <= relations
    assert built.known[media].lists == ("known",)
    assert (robin, index[(NodeKind.PHONE, "+33612345678")], Relation.USES_PHONE) in relations
    invite = index[(NodeKind.GROUP, "telegram/invite:AbCdEfGh1234")]
    assert (sam, invite, Relation.MEMBER_OF) in relations
    assert (sam, index[(NodeKind.EMAIL, "s@x.test")], Relation.USES_EMAIL) in relations
    chat_edges = [p for s, _, _, p in edges if s == robin]
    assert all(
        p is not None and p.case == "C1" and p.report_id == "chat:telegram:55" for p in chat_edges
    )
    group = index[(NodeKind.GROUP, "whatsapp/whatsapp:abc")]
    members = {s for s, t, r, _ in edges if t == group and r is Relation.MEMBER_OF}
    assert len(members) == 3
    # people known only by a name stay within their case and conversation
    assert (NodeKind.ACCOUNT, "whatsapp/C1:whatsapp:abc#name:Alex") in index
