"""Chat evidence into the typed graph, next to platform reports.

- A participant with the platform's own account id is the node ``platform/id``, the key a
  platform report gives the same account (``network.identifiers.account_key``), so an
  account met in a CyberTipline report and in a seized chat is one node. Telegram's
  ``user123`` is its user id ``123``. A participant known only by a display name (WhatsApp,
  Messenger) is a node of its own case and conversation's platform, never merged by name.
- Edges: every sender ``sent_to`` each other participant of a two-person chat (once per
  pair, at the first message); ``member_of`` the group node of a group chat; ``shared`` the
  media of attachments it sent and each other participant ``received`` them; ``uses_phone``
  a number the source ties to the account (a UFDR party, a Telegram owner); a phone or
  e-mail a participant wrote is a weaker ``uses_phone``/``uses_email`` (confidence 0.5); an
  invite link it posted is a weak ``member_of`` the invited group (0.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from interlink.domain.chats import ChatThread, Participant
from interlink.network import identifiers as ids
from interlink.network.model import GraphBuilder, NodeKind, Provenance, Relation
from interlink.network.ports import KnownInfo, KnownMedia

#: Confidence of an identifier a participant wrote in a message (it may be someone else's).
WRITTEN = 0.5


def account_id(platform: str, account: str) -> str:
    """The platform's own id of a chat account (Telegram's ``user123`` is ``123``)."""
    if platform == "telegram" and account.startswith("user") and account[4:].isdigit():
        return account[4:]
    return account


def participant_key(thread: ChatThread, person: Participant) -> str:
    """The account node key of a chat participant (see the module docstring)."""
    if person.account:
        return ids.account_key(thread.platform, account_id(thread.platform, person.account))
    scope = f"{thread.case or '-'}:{thread.key}"
    return f"{ids.service_key(thread.platform)}/{scope}#{person.key}"


def add_threads(
    builder: GraphBuilder, threads: Iterable[ChatThread], known_media: KnownMedia
) -> dict[int, KnownInfo]:
    """Add the accounts, groups, identifiers and media of ``threads``; answer what is
    known of the media nodes added."""
    media: dict[str, int] = {}
    for thread in threads:
        _thread(builder, thread, media)
    if not media:
        return {}
    answers = known_media.lookup("sha256", sorted(media))
    return {media[value]: info for value, info in answers.items() if value in media}


def _thread(builder: GraphBuilder, thread: ChatThread, media: dict[str, int]) -> None:
    provenance = Provenance(f"chat:{thread.key}", thread.agency, thread.case)
    nodes: dict[str, int] = {}
    for person in thread.participants:
        node = builder.node(
            NodeKind.ACCOUNT, participant_key(thread, person), person.name or person.account
        )
        nodes[person.key] = node
        if person.phone and person.phone.startswith("+"):
            phone = builder.node(NodeKind.PHONE, ids.phone_key(person.phone))
            builder.edge(node, phone, Relation.USES_PHONE, provenance=provenance)
    first: Mapping[str, datetime | None] = dict(thread.senders)
    group = None
    if thread.group:
        group = builder.node(
            NodeKind.GROUP, ids.group_key(thread.platform, thread.key), thread.title
        )
    for key, node in nodes.items():
        if group is not None:
            builder.edge(
                node, group, Relation.MEMBER_OF, time=first.get(key), provenance=provenance
            )
        elif key in first:
            for other, target in nodes.items():
                if other != key:
                    builder.edge(
                        node, target, Relation.SENT_TO, time=first[key], provenance=provenance
                    )
    for sender, sha256, when in thread.shared:
        node = media.setdefault(sha256, builder.node(NodeKind.MEDIA, f"sha256:{sha256}"))
        if sender in nodes:
            builder.edge(nodes[sender], node, Relation.SHARED, time=when, provenance=provenance)
        for other, target in nodes.items():
            if other != sender:
                builder.edge(
                    target,
                    node,
                    Relation.RECEIVED,
                    time=when,
                    confidence=0.8,
                    provenance=provenance,
                )
    for sender, kind, value in thread.written:
        if sender not in nodes:
            continue
        if kind == "phone":
            target, relation = (
                builder.node(NodeKind.PHONE, ids.phone_key(value)),
                Relation.USES_PHONE,
            )
        elif kind == "email":
            target, relation = (
                builder.node(NodeKind.EMAIL, ids.email_key(value)),
                Relation.USES_EMAIL,
            )
        elif kind == "invite":
            service, _, code = value.partition(":")
            target = builder.node(NodeKind.GROUP, ids.group_key(service, f"invite:{code}"), value)
            relation = Relation.MEMBER_OF
        else:
            continue
        builder.edge(nodes[sender], target, relation, confidence=WRITTEN, provenance=provenance)
