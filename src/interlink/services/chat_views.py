"""What faces show of a case's chats: conversations ranked by grooming risk (cue spans only:
message text stays collapsed), the identifiers met, and, on an explicit and audited request,
a conversation's full text.

Only the agency that owns a case sees its chats.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from interlink.adapters.sql.chat_reads import StoredConversation, StoredCue
from interlink.adapters.sql.store import SqlStore
from interlink.chats.triage import Risk, assess
from interlink.domain.cases import Agency
from interlink.domain.chats import CueHit, Span
from interlink.domain.errors import NotFoundError
from interlink.services.cases import own_case

#: Shown between the spans of one message.
ELLIPSIS = " … "


@dataclass(frozen=True, slots=True)
class RankedConversation:
    """A conversation, its risk, and its cue hits with the stored message id of each."""

    conversation: StoredConversation
    risk: Risk
    hits: tuple[tuple[CueHit, int, str], ...]


def span_text(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """Only the words of ``text`` that show a cue (its spans, in order)."""
    return ELLIPSIS.join(text[a:b] for a, b in sorted(spans))


def rank(store: SqlStore, case_id: Any) -> list[RankedConversation]:
    """A case's conversations, highest risk first (then most messages, then oldest id)."""
    by_conversation: dict[int, list[StoredCue]] = defaultdict(list)
    for cue in store.chats.cues(case_id):
        by_conversation[cue.conversation_id].append(cue)
    ranked = []
    for conversation in store.chats.conversations(case_id):
        stored = by_conversation.get(conversation.id, [])
        order: dict[int, int] = {}
        if stored:
            order = {mid: i for i, mid in enumerate(store.chats.message_order(conversation.id))}
        hits = []
        for cue in stored:
            hit = CueHit(
                cue.cue,
                order.get(cue.message_id, 0),
                cue.message_key,
                tuple(Span(a, b) for a, b in cue.spans),
            )
            hits.append((hit, cue.message_id, span_text(cue.text, cue.spans)))
        ages = [(c.sender or "?", c.age) for c in stored if c.age is not None]
        risk = assess([h for h, _, _ in hits], ages)
        hits.sort(key=lambda item: (item[0].index, item[0].cue))
        ranked.append(RankedConversation(conversation, risk, tuple(hits)))
    ranked.sort(key=lambda r: (-r.risk.score, -r.conversation.messages, r.conversation.id))
    return ranked


def conversation_list(store: SqlStore, case: str, agency: Agency) -> list[dict[str, Any]]:
    """``chats list``: each conversation's ``id``, ``platform``, ``participants``,
    ``messages`` and ``risk`` (``score``, and ``cues`` as ``cue``, ``message_id``, ``text``
    where ``text`` holds only the cue's spans), ranked by risk."""
    record = own_case(store, case, agency)
    return [
        {
            "id": r.conversation.id,
            "platform": r.conversation.platform,
            "participants": list(r.conversation.participants),
            "messages": r.conversation.messages,
            "risk": {
                "score": r.risk.score,
                "cues": [
                    {"cue": hit.cue, "message_id": message_id, "text": text}
                    for hit, message_id, text in r.hits
                ],
            },
        }
        for r in rank(store, record.id)
    ]


def report_section(store: SqlStore, case_id: Any) -> list[dict[str, Any]]:
    """The case report's conversations, highest risk first: who, how many messages, the
    score, each cue with only its spans (the message text stays out of the report: opening
    it is ``open_conversation``, audited), and the attachments that matched a known list or
    that a scan found (sent by whom, to whom, when)."""
    attachments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in store.chats.attachments(case_id):
        if row["known_matches"] or (row["found_by_scan"] and not row["present"]):
            attachments[int(row["conversation_id"])].append(row)
    section = []
    for item in rank(store, case_id):
        people = item.conversation.participants
        section.append(
            {
                "id": item.conversation.id,
                "platform": item.conversation.platform,
                "title": item.conversation.title,
                "participants": list(people),
                "messages": item.conversation.messages,
                "score": item.risk.score,
                "first_alert": item.risk.first_alert,
                "age_gap": list(item.risk.age_gap) if item.risk.age_gap else None,
                "cues": [
                    {"cue": hit.cue, "message_id": mid, "position": hit.index + 1, "text": text}
                    for hit, mid, text in item.hits
                ],
                "attachments": [
                    {
                        "sha256": row["media_sha256"],
                        "name": row["name"],
                        "sender": row["sender_key"],
                        "recipients": [p for p in people if p != row["sender_key"]],
                        "sent_at": row["sent_at"].isoformat()
                        if row["sent_at"]
                        else row["time_text"],
                        "known_matches": row["known_matches"],
                        "in_export": row["present"],
                        "found_by_scan": row["found_by_scan"],
                    }
                    for row in attachments.get(item.conversation.id, [])
                ],
            }
        )
    return section


def identifier_list(store: SqlStore, case: str, agency: Agency) -> list[dict[str, Any]]:
    """``chats identifiers``: ``kind``, ``value``, ``conversations`` and ``messages`` (ids)."""
    record = own_case(store, case, agency)
    return [
        {
            "kind": item.kind,
            "value": item.value,
            "conversations": list(item.conversations),
            "messages": list(item.messages),
        }
        for item in store.chats.identifiers(record.id)
    ]


def open_conversation(
    store: SqlStore, case: str, conversation_id: int, agency: Agency, *, actor: str
) -> dict[str, Any]:
    """The full text of one conversation: an explicit request, audited like a reveal."""
    record = own_case(store, case, agency)
    found = store.chats.conversation(record.id, conversation_id)
    if found is None:
        raise NotFoundError("conversation", str(conversation_id))
    with store.transaction() as tx:
        store.audit.append(
            tx,
            actor=actor,
            action="chats.open",
            object_type="conversation",
            object_id=str(conversation_id),
            after={"case": case, "messages": found.messages},
        )
    messages = [
        {
            "id": row["id"],
            "key": row["key"],
            "sender": row["sender_key"],
            "sender_name": row["sender_name"],
            "sent_at": row["sent_at"].isoformat() if row["sent_at"] else None,
            "time_text": row["time_text"],
            "text": row["text"],
            "service": row["service"],
            "reply_to": row["reply_to"],
            "forwarded_from": row["forwarded_from"],
            "edited": row["edited"],
            "deleted": row["deleted"],
        }
        for row in store.chats.messages(conversation_id)
    ]
    return {
        "id": found.id,
        "platform": found.platform,
        "title": found.title,
        "participants": list(found.participants),
        "messages": messages,
    }
