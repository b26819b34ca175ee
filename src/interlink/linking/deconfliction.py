"""Deconfliction: watches an agency places on what matters to its case, and the hits other
cases make on them. Pure functions over records.

The records take the names and roles of the VICS ``Alert``, ``AlertTrigger`` and ``AlertHit``
entities: an ``Alert`` is one watch (its agency, priority, expiry and what it discloses), each
``AlertTrigger`` one condition on it (a hash, a series, a camera serial, an identifier), and an
``AlertHit`` one thing of another case that met a trigger. The VICS data model that names them
is not published: the Project VIC pages describe the hash sets only, and no public VICS export
we could find writes these entities (the VICS readers written for Interlink keep them as
unknown keys for the same reason), so their fields here are Interlink's own.

Behaviour follows public law-enforcement deconfliction practice: a new entry is checked against
what is already held as well as against later entries (the Partner Deconfliction Interface
queries the other systems on each submission; National Public Safety Partnership, "Event
Deconfliction Systems"); a match notifies both parties (W/B HIDTA Case Explorer's "Match
Report ... sent by email to those involved", http://www.hidta.org/watch.asp) and gives each the
other's contact while the case details stay in confidence ("Event details and operational
plans are held in strict confidence", ibid.; OSS-ESPA deconfliction returns "the case owner's
email ... so that you can contact them"). ``Disclosure`` says how much more a watch reveals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from interlink.domain.cases import Agency, Identifier, IdentifierKind, country_name, series_key
from interlink.domain.errors import InvalidFieldError
from interlink.linking.cases import PdqMedia
from interlink.linking.clues import camera_key, serial_key
from interlink.linking.identifiers import any_port_key, identifier_key
from interlink.signals import pdq

if TYPE_CHECKING:
    from interlink.index.base import SignalIndex


class TriggerKind(StrEnum):
    """What a trigger watches."""

    SHA256 = "sha256"
    MD5 = "md5"
    SHA1 = "sha1"
    PDQ = "pdq"
    SERIES = "series"
    CAMERA = "camera"
    EMAIL = "email"
    PHONE = "phone"
    ACCOUNT = "account"
    IP = "ip"
    DEVICE = "device"
    INVITE = "invite"
    URL = "url"


HASH_KINDS = frozenset({TriggerKind.SHA256, TriggerKind.MD5, TriggerKind.SHA1, TriggerKind.PDQ})
IDENTIFIER_KINDS: Mapping[TriggerKind, IdentifierKind] = {
    TriggerKind.EMAIL: IdentifierKind.EMAIL,
    TriggerKind.PHONE: IdentifierKind.PHONE,
    TriggerKind.ACCOUNT: IdentifierKind.ACCOUNT,
    TriggerKind.IP: IdentifierKind.IP,
    TriggerKind.DEVICE: IdentifierKind.DEVICE,
    TriggerKind.INVITE: IdentifierKind.INVITE,
    TriggerKind.URL: IdentifierKind.URL,
}
#: The camera key of a watch on a serial whatever the make.
ANY_MAKE = "*"


class Priority(IntEnum):
    """How urgently the owner of a watch wants to hear of a hit."""

    LOW = 1
    NORMAL = 2
    HIGH = 3
    CRITICAL = 4


class Disclosure(StrEnum):
    """What a hit shows each side of the other, beyond that a hit happened: ``agency`` the
    other agency (name, country, contact) and how many items met the watch; ``case`` also
    the case references of both sides; ``evidence`` also which items (SHA-256s, identifier
    keys). File paths, exhibits and every other case detail are never shown."""

    AGENCY = "agency"
    CASE = "case"
    EVIDENCE = "evidence"


_DISCLOSURE_ORDER = tuple(Disclosure)


def discloses(disclosure: Disclosure, level: Disclosure) -> bool:
    """Whether a watch with ``disclosure`` shows what ``level`` covers."""
    return _DISCLOSURE_ORDER.index(disclosure) >= _DISCLOSURE_ORDER.index(level)


@dataclass(frozen=True, slots=True)
class Alert:
    """A watch of ``agency_id`` (for its case ``case_id``, when given): ``title`` and
    ``message`` are what the owner lets hitters read."""

    id: UUID
    agency_id: UUID
    title: str
    priority: Priority = Priority.NORMAL
    disclosure: Disclosure = Disclosure.AGENCY
    message: str = ""
    case_id: UUID | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None
    withdrawn_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Whether the watch still hits at ``now`` (neither withdrawn nor expired)."""
        if self.withdrawn_at is not None and self.withdrawn_at <= now:
            return False
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True, slots=True)
class AlertTrigger:
    """One condition of a watch: ``kind`` and its normalised ``value`` (``trigger_value``)."""

    id: int
    alert_id: UUID
    kind: TriggerKind
    value: str


def _split(text: str, separator: str) -> tuple[str | None, str]:
    head, found, tail = text.partition(separator)
    return (head.strip(), tail.strip()) if found else (None, text.strip())


def trigger_value(
    kind: TriggerKind, text: str, *, port: int | None = None, service: str | None = None
) -> str:
    """The normalised value a trigger of ``kind`` watches for ``text``.

    Hashes are validated lower-case hex; a series is compared by ``series_key``; a camera is
    ``MAKE:SERIAL`` or a bare serial (any make); an account is ``SERVICE/ID`` (or ``service``
    given apart), a device ``TYPE:VALUE``; an IP without ``port`` watches every port.
    """
    if kind in HASH_KINDS:
        from interlink.signals.registry import get as signal_type  # loads every signal type

        return signal_type(kind.value).validate(text)
    if kind is TriggerKind.SERIES:
        key = series_key(text)
        if not key:
            raise InvalidFieldError("series", text, "must not be empty")
        return key
    if kind is TriggerKind.CAMERA:
        make, serial = _split(text, ":")
        number = serial_key(serial)
        if number is None:
            raise InvalidFieldError("camera serial", text, "not a usable serial number")
        return str(camera_key(make, serial)) if make else f"{ANY_MAKE}:{number}"
    if kind is TriggerKind.ACCOUNT and service is None:
        service, text = _split(text, "/")
    if kind is TriggerKind.DEVICE and service is None:
        service, text = _split(text, ":")
    identifier = Identifier(IDENTIFIER_KINDS[kind], text.strip(), service=service, port=port)
    key = identifier_key(identifier)
    return any_port_key(key) if kind is TriggerKind.IP and port is None else key


@dataclass(frozen=True, slots=True)
class Observation:
    """Something case ``case_id`` (of ``agency_id``) holds that a trigger may name: the
    trigger ``kind`` and ``value`` it answers to, the ``subject`` (a media's SHA-256 or an
    identifier key) and its distance (PDQ bits; 0 for exact values)."""

    kind: TriggerKind
    value: str
    case_id: UUID
    agency_id: UUID
    subject: str
    distance: int = 0


@dataclass(frozen=True, slots=True)
class MediaFacts:
    """What a scanned media offers to watches: its hashes, camera key and series keys."""

    sha256: str
    md5: str | None = None
    sha1: str | None = None
    camera_key: str | None = None
    series: tuple[str, ...] = ()


def media_observations(
    case_id: UUID, agency_id: UUID, media: Iterable[MediaFacts]
) -> list[Observation]:
    """The exact observations of a case's media (hashes, camera with and without make,
    series); PDQ near-matches come from ``pdq_observations``."""
    found: list[Observation] = []
    for item in media:
        values: list[tuple[TriggerKind, str]] = [(TriggerKind.SHA256, item.sha256)]
        if item.md5:
            values.append((TriggerKind.MD5, item.md5))
        if item.sha1:
            values.append((TriggerKind.SHA1, item.sha1))
        if item.camera_key:
            serial = item.camera_key.split(":", 1)[-1]
            values += [(TriggerKind.CAMERA, item.camera_key), (TriggerKind.CAMERA, f"*:{serial}")]
        values += [(TriggerKind.SERIES, key) for key in item.series]
        found += [Observation(k, v, case_id, agency_id, item.sha256) for k, v in values]
    return found


def identifier_observations(
    case_id: UUID, agency_id: UUID, keys: Iterable[str]
) -> list[Observation]:
    """The observations of a case's identifier keys (an IP also under its any-port key)."""
    found: list[Observation] = []
    for key in keys:
        kind = TriggerKind(key.split(":", 1)[0])
        found.append(Observation(kind, key, case_id, agency_id, key))
        if kind is TriggerKind.IP:
            found.append(Observation(kind, any_port_key(key), case_id, agency_id, key))
    return found


def pdq_observations(
    case_id: UUID,
    agency_id: UUID,
    media: Sequence[PdqMedia],
    triggers: Sequence[AlertTrigger],
    *,
    threshold: int = pdq.THRESHOLD,
    index: Callable[[], SignalIndex] | None = None,
) -> list[Observation]:
    """Observations of the media whose PDQ (any variant) is within ``threshold`` of a PDQ
    trigger, each answering to that trigger's value (searched in ``index()``, by default a
    ``HammingIndex``)."""
    watched = [t for t in triggers if t.kind is TriggerKind.PDQ]
    if not watched or not media:
        return []
    search = index() if index is not None else hamming_index()
    search.add([t.value for t in watched], [t.id for t in watched])
    value_of = {t.id: t.value for t in watched}
    found: list[Observation] = []
    for item in media:
        for hit in search.query_variants(item.variants, threshold):
            found.append(
                Observation(
                    TriggerKind.PDQ,
                    value_of[hit.id],
                    case_id,
                    agency_id,
                    item.sha256,
                    hit.distance,
                )
            )
    return found


def hamming_index() -> SignalIndex:
    """A new ``HammingIndex`` (imported on first use: it loads NumPy and numba)."""
    from interlink.index.hamming import HammingIndex

    return HammingIndex()


@dataclass(frozen=True, slots=True, order=True)
class AlertHit:
    """Trigger ``trigger_id`` of watch ``alert_id`` met ``subject`` of case ``case_id`` (of
    ``agency_id``) at ``distance``, found at ``at``."""

    alert_id: UUID
    trigger_id: int
    case_id: UUID
    agency_id: UUID
    subject: str
    distance: int = 0
    at: datetime | None = None


def find_hits(
    alerts: Mapping[UUID, Alert],
    triggers: Iterable[AlertTrigger],
    observations: Iterable[Observation],
    now: datetime,
) -> list[AlertHit]:
    """The hits ``observations`` make on the active watches: never on the watch's own case;
    each (trigger, case, subject) once with its smallest distance."""
    by_value: dict[tuple[TriggerKind, str], list[AlertTrigger]] = defaultdict(list)
    for trigger in triggers:
        by_value[(trigger.kind, trigger.value)].append(trigger)
    best: dict[tuple[int, UUID, str], AlertHit] = {}
    for seen in observations:
        for trigger in by_value.get((seen.kind, seen.value), ()):
            alert = alerts.get(trigger.alert_id)
            if alert is None or not alert.active(now) or alert.case_id == seen.case_id:
                continue
            key = (trigger.id, seen.case_id, seen.subject)
            current = best.get(key)
            if current is None or seen.distance < current.distance:
                best[key] = AlertHit(
                    alert.id,
                    trigger.id,
                    seen.case_id,
                    seen.agency_id,
                    seen.subject,
                    seen.distance,
                    now,
                )
    return sorted(best.values())


def agency_card(agency: Agency) -> dict[str, str]:
    """What either side of a hit or link always learns of the other agency."""
    return {
        "name": agency.name,
        "country": agency.country,
        "country_name": country_name(agency.country),
        "contact": agency.contact,
    }


def _times(hits: Sequence[AlertHit]) -> dict[str, str | None]:
    times = sorted(h.at for h in hits if h.at is not None)
    return {
        "first_at": times[0].isoformat() if times else None,
        "last_at": times[-1].isoformat() if times else None,
    }


def _triggers(hits: Sequence[AlertHit], triggers: Mapping[int, AlertTrigger]) -> list[Any]:
    seen = {h.trigger_id for h in hits}
    return [
        {"kind": triggers[i].kind.value, "value": triggers[i].value}
        for i in sorted(seen)
        if i in triggers
    ]


def owner_view(
    alert: Alert,
    hits: Sequence[AlertHit],
    triggers: Mapping[int, AlertTrigger],
    hitter: Agency,
    hitter_case: str,
) -> dict[str, Any]:
    """What the owner of ``alert`` is told of ``hits`` (all made by one case of ``hitter``):
    no more of that case than the watch's disclosure allows."""
    subjects = sorted({h.subject for h in hits})
    return {
        "side": "owner",
        "alert": str(alert.id),
        "title": alert.title,
        "priority": alert.priority.name.lower(),
        "disclosure": alert.disclosure.value,
        "triggers": _triggers(hits, triggers),
        "agency": agency_card(hitter),
        "case": hitter_case if discloses(alert.disclosure, Disclosure.CASE) else None,
        "items": len(subjects),
        "subjects": subjects if discloses(alert.disclosure, Disclosure.EVIDENCE) else None,
        **_times(hits),
    }


def hitter_view(
    alert: Alert,
    hits: Sequence[AlertHit],
    triggers: Mapping[int, AlertTrigger],
    owner: Agency,
    owner_case: str | None,
    own_case: str,
) -> dict[str, Any]:
    """What the agency whose case ``own_case`` made ``hits`` is told: the watch's title,
    message, priority and owner, the owner's case only as far as the disclosure allows, and
    its own items that met it."""
    return {
        "side": "hitter",
        "alert": str(alert.id),
        "title": alert.title,
        "message": alert.message,
        "priority": alert.priority.name.lower(),
        "disclosure": alert.disclosure.value,
        "triggers": _triggers(hits, triggers),
        "agency": agency_card(owner),
        "case": owner_case if discloses(alert.disclosure, Disclosure.CASE) else None,
        "own_case": own_case,
        "items": len({h.subject for h in hits}),
        "subjects": sorted({h.subject for h in hits}),
        **_times(hits),
    }
