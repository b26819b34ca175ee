"""The identifiers a chat import links its case by, and the linking itself.

The importer hands over each participant and each identifier found in a message; what links
cases (accounts of the platform, numbers in E.164, e-mail addresses, invite links, URLs) is
kept under the importer's key until the batch is stored, then goes to the run's table
(``adapters.sql.chat_run``), which keeps each once. Once the import is stored, the case is
linked to the others ``LINK_PAGE`` identifiers at a time, read back from that table.
"""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.chat_run import ChatRun, Link
from interlink.adapters.sql.store import SqlStore
from interlink.chats import identifiers as extraction
from interlink.chats.invites import invites
from interlink.domain.cases import Agency, Case, Identifier, IdentifierKind
from interlink.domain.chats import Participant
from interlink.linking.cases import Evidence
from interlink.linking.deconfliction import AlertHit
from interlink.linking.identifiers import identifier_key
from interlink.services import cases as case_service

#: Identifiers linked to other cases per call of ``cases.add_identifiers`` (one audit record).
LINK_PAGE = 10_000
#: Identifier kinds that link cases and that watches can name (``chats identifiers`` lists
#: every kind; @mentions link as accounts of the conversation's platform).
_LINKED = {
    "phone": IdentifierKind.PHONE,
    "email": IdentifierKind.EMAIL,
    "invite": IdentifierKind.INVITE,
    "url": IdentifierKind.URL,
}


class Linkables:
    """The identifiers to link by met since the last ``flush``, the first met of each key."""

    def __init__(self) -> None:
        self.found: dict[str, Link] = {}

    def participant(self, person: Participant, platform: str) -> None:
        """A participant's account on ``platform`` and phone number in E.164."""
        if person.account and not person.account.startswith("name:"):
            key = f"account:{platform}/{person.account}"
            if key not in self.found:
                self._add(key, Identifier(IdentifierKind.ACCOUNT, person.account, service=platform))
        if person.phone and person.phone.startswith("+"):
            found = extraction.phone(person.phone, None, marked=True)
            if found is not None and f"phone:{found.value}" not in self.found:
                self._add(f"phone:{found.value}", Identifier(IdentifierKind.PHONE, found.value))

    def identifier(self, item: extraction.Found, platform: str) -> None:
        """An identifier found in a message of a conversation on ``platform``."""
        if item.kind == "phone" and not item.e164:
            return
        if item.kind == "mention":
            key = f"account:{platform}/{item.value}"
            if key not in self.found:
                self._add(key, Identifier(IdentifierKind.ACCOUNT, item.value, service=platform))
        elif item.kind == "url" and next(invites(item.value), None) is not None:
            return  # an invite link: linked as the invite (once, not twice)
        elif item.kind in _LINKED:
            key = f"{item.kind}:{item.value}"
            if key not in self.found:
                self._add(key, Identifier(_LINKED[item.kind], item.value))

    def flush(self, tally: ChatRun) -> None:
        """Hand what was met to the run's table (in the caller's transaction)."""
        if self.found:
            tally.links(self.found.values())
            self.found = {}

    def _add(self, key: str, identifier: Identifier) -> None:
        self.found[key] = (
            key,
            identifier_key(identifier),
            identifier.kind.value,
            identifier.value,
            identifier.service,
        )


def link_case(
    store: SqlStore,
    case: Case,
    agency: Agency,
    tally: ChatRun,
    actor: str,
    context: dict[str, Any],
) -> case_service.Found:
    """Link ``case`` to other cases by the identifiers the import met, ``LINK_PAGE`` at a
    time as the run's table holds them (each once)."""
    evidence: list[Evidence] = []
    hits: list[AlertHit] = []
    after = 0
    while True:
        with tally.connection.begin():
            page = tally.links_after(after, LINK_PAGE)
        if not page:
            return case_service.Found(tuple(evidence), tuple(hits))
        after = page[-1][0]
        found = case_service.add_identifiers(
            store,
            case,
            (Identifier(IdentifierKind(kind), value, service=svc) for _, kind, value, svc in page),
            agency,
            actor=actor,
            context=context,
        )
        evidence.extend(found.evidence)
        hits.extend(found.hits)
