"""Agencies, operations, cases and exhibits; series, victims, suspects and identifiers.

Victims and suspects are pseudonymous: a record needs no name, only a pseudonym the agency
chooses. Their statuses move only forward (``advance``); every change is audited by the
service that makes it.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

import iso3166

from interlink.domain.errors import InvalidFieldError, TransitionError

#: ISO 3166-1 alpha-2 codes left for users to assign (``ZZ``: the local, unspecified agency).
USER_ASSIGNED = frozenset(
    {"AA", "ZZ"}
    | {f"Q{c}" for c in "MNOPQRSTUVWXYZ"}
    | {f"X{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
)
#: The agency acting when none is named, and its country when none is configured.
LOCAL_AGENCY = "local"
LOCAL_COUNTRY = "ZZ"
_HEX = re.compile(r"[0-9a-f]+")
_SPACE = re.compile(r"\s+")
#: Acquisition hashes examiners record: MD5, SHA-1, SHA-256, SHA-512.
_ACQUISITION_HEX_LENGTHS = frozenset({32, 40, 64, 128})


def country_code(text: str) -> str:
    """``text`` as an ISO 3166-1 alpha-2 code (upper case): officially assigned, or one of
    the user-assigned codes (``AA``, ``QM``-``QZ``, ``XA``-``XZ``, ``ZZ``)."""
    code = text.strip().upper()
    if code in USER_ASSIGNED or code in iso3166.countries_by_alpha2:
        return code
    raise InvalidFieldError("country", text, "not an ISO 3166-1 alpha-2 code")


def country_name(code: str) -> str:
    """The English short name of a country code (the code itself when user-assigned)."""
    found = iso3166.countries_by_alpha2.get(code)
    return found.name if found is not None else code


def _required(name: str, value: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidFieldError(name, value, "must not be empty")
    return text


@dataclass(frozen=True, slots=True)
class Agency:
    """A law-enforcement agency; ``country`` is an ISO 3166-1 alpha-2 code, ``contact`` how
    another agency reaches the unit (shown to agencies its cases are linked with)."""

    id: UUID
    name: str
    country: str
    contact: str = ""

    def __post_init__(self) -> None:
        _required("agency name", self.name)
        if country_code(self.country) != self.country:
            raise InvalidFieldError("country", self.country, "must be upper case")

    @classmethod
    def create(cls, name: str, country: str, contact: str = "") -> Agency:
        """A new agency with a fresh id; name and contact stripped, country normalised."""
        return cls(uuid.uuid4(), name.strip(), country_code(country), contact.strip())


@dataclass(frozen=True, slots=True)
class Operation:
    """A named set of cases, possibly of many agencies (an international operation)."""

    id: UUID
    name: str
    description: str = ""
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        _required("operation name", self.name)


class CaseStatus(StrEnum):
    """Whether a case is being worked."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Case:
    """An investigation of one agency, known by its reference (``name``, unique in a store)."""

    id: UUID
    name: str
    agency_id: UUID | None = None
    status: CaseStatus = CaseStatus.OPEN
    created_at: datetime | None = None

    @property
    def reference(self) -> str:
        """The agency's reference of the case (its name)."""
        return self.name


@dataclass(frozen=True, slots=True)
class CaseFigures:
    """A case as its agency's case list shows it: how many exhibits it has, how many other
    cases its link evidence joins it to, and how many of the watches it hit (for that agency)."""

    name: str
    status: CaseStatus
    created_at: datetime | None
    exhibits: int
    linked_cases: int
    watch_hits: int


def acquisition_hash(text: str) -> str:
    """An examiner's acquisition hash as lower-case hex (MD5, SHA-1, SHA-256 or SHA-512
    length), or ``""`` for none."""
    value = text.strip().lower()
    if value and not (_HEX.fullmatch(value) and len(value) in _ACQUISITION_HEX_LENGTHS):
        raise InvalidFieldError("acquisition hash", text, "not an MD5/SHA-1/SHA-256/SHA-512 hex")
    return value


@dataclass(frozen=True, slots=True)
class Exhibit:
    """A seized item (drive, folder, archive) scanned into a case.

    ``root`` is where it was read from (the root of every provenance chain of its items);
    ``acquisition_hash`` is the examiner's hash of the acquired image, when there is one.
    """

    id: UUID
    case_id: UUID
    name: str
    root: str
    description: str = ""
    acquisition_hash: str = ""


def series_key(name: str) -> str:
    """A series name compared without case and with runs of space collapsed."""
    return _SPACE.sub(" ", name.strip()).casefold()


@dataclass(frozen=True, slots=True)
class Series:
    """A series of known material showing the same victim(s), by the name lists give it."""

    id: UUID
    name: str
    description: str = ""
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        _required("series name", self.name)

    @property
    def key(self) -> str:
        """The name as compared (``series_key``)."""
        return series_key(self.name)


class VictimStatus(StrEnum):
    """Where a victim stands: unidentified -> identified -> safeguarded."""

    UNIDENTIFIED = "unidentified"
    IDENTIFIED = "identified"
    SAFEGUARDED = "safeguarded"


_VICTIM_NEXT = {
    VictimStatus.UNIDENTIFIED: VictimStatus.IDENTIFIED,
    VictimStatus.IDENTIFIED: VictimStatus.SAFEGUARDED,
}


@dataclass(frozen=True, slots=True)
class Victim:
    """A pseudonymous victim record of the agency working to identify them, seen in the
    named series (``series``, by name) and, once placed, in a case of that agency."""

    id: UUID
    pseudonym: str
    agency_id: UUID
    status: VictimStatus = VictimStatus.UNIDENTIFIED
    case_id: UUID | None = None
    series: tuple[str, ...] = field(default=())
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        _required("pseudonym", self.pseudonym)

    def advance(self, status: VictimStatus) -> Victim:
        """This victim moved one step on (unidentified -> identified -> safeguarded); any other
        move raises ``TransitionError``."""
        if _VICTIM_NEXT.get(self.status) is not status:
            raise TransitionError("victim", self.status.value, status.value)
        return replace(self, status=status)


class SuspectStatus(StrEnum):
    """Where a suspect stands, in the order a case moves them."""

    UNIDENTIFIED = "unidentified"
    IDENTIFIED = "identified"
    ARRESTED = "arrested"
    CHARGED = "charged"
    CONVICTED = "convicted"


_SUSPECT_ORDER = tuple(SuspectStatus)


@dataclass(frozen=True, slots=True)
class Suspect:
    """A pseudonymous suspect record of one agency, in one of its cases when placed."""

    id: UUID
    pseudonym: str
    agency_id: UUID
    status: SuspectStatus = SuspectStatus.UNIDENTIFIED
    case_id: UUID | None = None
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        _required("pseudonym", self.pseudonym)

    def advance(self, status: SuspectStatus) -> Suspect:
        """This suspect moved forward to ``status`` (steps may be skipped: a suspect can be
        charged without arrest); a move back raises ``TransitionError``."""
        if _SUSPECT_ORDER.index(status) <= _SUSPECT_ORDER.index(self.status):
            raise TransitionError("suspect", self.status.value, status.value)
        return replace(self, status=status)

    @property
    def identified(self) -> bool:
        """Whether the suspect is identified (or further on)."""
        return self.status is not SuspectStatus.UNIDENTIFIED


class IdentifierKind(StrEnum):
    """What an identifier names."""

    ACCOUNT = "account"
    EMAIL = "email"
    PHONE = "phone"
    IP = "ip"
    DEVICE = "device"
    #: A group's invite link, as ``service:code`` (``telegram:AbCd...``, ``whatsapp:...``).
    INVITE = "invite"
    #: A web address (``network.identifiers.url_key`` says when two are one).
    URL = "url"


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier met in a case, as the investigator recorded it.

    ``service`` is the platform of an account, or the type of a device id (``IMEI``, ...);
    ``port`` and ``seen_at`` (UTC) belong to an IP address: behind carrier-grade NAT only
    address, port and time together point at one subscriber.
    """

    kind: IdentifierKind
    value: str
    service: str | None = None
    port: int | None = None
    seen_at: datetime | None = None

    def __post_init__(self) -> None:
        _required(f"{self.kind.value} identifier", self.value)
        if self.kind is IdentifierKind.IP:
            try:
                ipaddress.ip_address(self.value.strip())
            except ValueError:
                raise InvalidFieldError("ip", self.value, "not an IP address") from None
        elif self.port is not None or self.seen_at is not None:
            raise InvalidFieldError(self.kind.value, self.value, "only IPs have port and time")
        if self.port is not None and not 0 <= self.port <= 65535:
            raise InvalidFieldError("port", str(self.port), "not a port number")
        if self.seen_at is not None and self.seen_at.utcoffset() is None:
            raise InvalidFieldError("seen_at", self.seen_at.isoformat(), "must be aware (UTC)")
        if self.kind is IdentifierKind.DEVICE and not (self.service or "").strip():
            raise InvalidFieldError("device", self.value, "give the device id type as service")
