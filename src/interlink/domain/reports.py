"""Platform reports (CyberTipline-style): who was reported, from where, with which files.

The records follow the public NCMEC CyberTipline ESP reporting schema (see
``interlink.formats.cybertip`` for the element names and where Interlink had to infer).
Identifiers are kept as the platform gave them; normalising and merging them is the job of
entity resolution (``interlink.network.resolve``), which records every merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from interlink.domain.categories import Category
from interlink.domain.signals import Signal


class EventName(StrEnum):
    """The event at which a platform captured an IP address or device id."""

    LOGIN = "Login"
    REGISTRATION = "Registration"
    PURCHASE = "Purchase"
    UPLOAD = "Upload"
    OTHER = "Other"
    UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class IpCaptureEvent:
    """An IP address (compressed text form) seen at an event; ``date_time`` is UTC."""

    ip_address: str
    event_name: EventName = EventName.UNKNOWN
    date_time: datetime | None = None
    port: int | None = None
    possible_proxy: bool | None = None


@dataclass(frozen=True, slots=True)
class DeviceId:
    """A device identifier (IMEI, advertising id, ...) of type ``id_type``."""

    id_type: str
    id_value: str
    event_name: EventName | None = None
    date_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class EstimatedLocation:
    """Where the platform believes the user is; ``country_code`` is ISO 3166-1 alpha-2.

    ``verified`` is true only when the platform says it verified the location.
    """

    country_code: str | None
    verified: bool = False
    city: str | None = None
    region: str | None = None
    timestamp: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReportedPerson:
    """A reported user (``personOrUserReported``) or an ``intendedRecipient``.

    ``emails`` and ``phones`` are as the platform wrote them (a phone's country calling code,
    when given apart, is prefixed). ``prior_reports`` are earlier CyberTipline report ids.
    """

    esp_service: str | None = None
    esp_identifier: str | None = None
    screen_name: str | None = None
    display_names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    profile_urls: tuple[str, ...] = ()
    ip_events: tuple[IpCaptureEvent, ...] = ()
    device_ids: tuple[DeviceId, ...] = ()
    prior_reports: tuple[str, ...] = ()
    group_identifier: str | None = None
    estimated_location: EstimatedLocation | None = None

    def is_empty(self) -> bool:
        """True when nothing identifies the person."""
        return not (
            self.esp_identifier
            or self.screen_name
            or self.emails
            or self.phones
            or self.ip_events
            or self.device_ids
        )


@dataclass(frozen=True, slots=True)
class FileDetail:
    """One file of a report.

    ``hashes`` are normalised signals of registered types (md5, sha1, sha256, ...); hash types
    Interlink does not know are kept verbatim in ``other_hashes`` as ``(hashType, value)``.
    ``classification`` is the platform's industry classification (scheme ``industry``).
    ``annotations`` are the ``fileAnnotations`` flag names present (``viral``,
    ``potentialMeme``, ...).
    """

    file_id: str | None = None
    file_name: str | None = None
    hashes: tuple[Signal, ...] = ()
    other_hashes: tuple[tuple[str, str], ...] = ()
    classification: Category | None = None
    annotations: frozenset[str] = field(default=frozenset())
    uploaded_at: datetime | None = None
    ip_event: IpCaptureEvent | None = None
    publicly_available: bool | None = None
    relevance: str | None = None

    @property
    def viral(self) -> bool:
        """True when the platform flagged the file as viral or a potential meme."""
        return bool(self.annotations & {"viral", "potentialMeme"})


@dataclass(frozen=True, slots=True)
class PlatformReport:
    """One platform report: its reported users, intended recipients and files.

    ``reported`` holds every ``personOrUserReported`` (the schema allows one per report;
    Interlink accepts several). Files are taken to have been uploaded by the reported users
    and, when the report names intended recipients, sent to them.
    """

    report_id: str
    incident_type: str | None = None
    incident_time: datetime | None = None
    platform: str | None = None
    reported: tuple[ReportedPerson, ...] = ()
    recipients: tuple[ReportedPerson, ...] = ()
    files: tuple[FileDetail, ...] = ()


@dataclass(frozen=True, slots=True)
class ReceivedReport:
    """A platform report as a unit received it: with the agency, case and source file."""

    report: PlatformReport
    agency: str | None = None
    case: str | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class ReportProblem:
    """A report that could not be read: where it is in its file, and why.

    ``position`` names the report's place in the file (``report 3, line 120``).
    ``report_id`` is set when the report got far enough to give one.
    """

    position: str
    reason: str
    report_id: str | None = None

    def display(self) -> str:
        """``position: reason``."""
        label = f" (report {self.report_id})" if self.report_id else ""
        return f"{self.position}{label}: {self.reason}"
