"""From one parsed report (an XML element or a JSON object) to a ``PlatformReport``.

The XML and JSON readers each wrap their tree in a ``Tree`` view, so both formats share
these rules. Every check that fails raises ``FormatError``; the readers turn that into a
``ReportProblem`` for the one report and go on with the next.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Protocol

from interlink.domain.categories import Category
from interlink.domain.errors import FormatError, InvalidSignalError, UnknownSignalTypeError
from interlink.domain.reports import (
    DeviceId,
    EstimatedLocation,
    EventName,
    FileDetail,
    IpCaptureEvent,
    PlatformReport,
    ReportedPerson,
)
from interlink.domain.signals import Signal
from interlink.signals import registry

#: ``fileAnnotations`` flags of the ESP schema.
ANNOTATIONS = frozenset(
    {
        "animeDrawingVirtualHentai",
        "potentialMeme",
        "viral",
        "possibleSelfProduction",
        "physicalHarm",
        "violenceGore",
        "bestiality",
        "liveStreaming",
        "infant",
        "generativeAi",
    }
)
_COUNTRY = re.compile(r"[A-Z]{2}")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


class Tree(Protocol):
    """A read-only view of one element: its attributes, text and named children."""

    def attr(self, name: str) -> str | None:
        """The attribute ``name`` (a key of a JSON object), as text."""
        ...

    def text(self) -> str | None:
        """The element's own text (``value`` of a JSON object, or a JSON scalar)."""
        ...

    def children(self, name: str) -> list[Tree]:
        """Every child element called ``name``, in order."""
        ...

    def names(self) -> Iterator[str]:
        """The names of the child elements present (used for flag elements)."""
        ...


def child(tree: Tree, name: str) -> Tree | None:
    """The first child called ``name``."""
    found = tree.children(name)
    return found[0] if found else None


def child_text(tree: Tree, name: str) -> str | None:
    """The stripped text of the first child called ``name``, ``None`` when absent or blank."""
    node = child(tree, name)
    if node is None:
        return None
    text = node.text()
    if text is None:
        return None
    text = text.strip()
    return text or None


def texts(tree: Tree, name: str) -> tuple[str, ...]:
    """The non-blank stripped texts of every child called ``name``."""
    found: list[str] = []
    for node in tree.children(name):
        text = (node.text() or "").strip()
        if text:
            found.append(text)
    return tuple(found)


def parse_bool(text: str | None, field: str) -> bool | None:
    """``true``/``false`` (also ``1``/``0``) or ``None`` when absent."""
    if text is None:
        return None
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise FormatError(f"{field}: not a boolean: {text!r}")


def parse_time(text: str | None, field: str) -> datetime | None:
    """An ISO 8601 date-time in UTC; one without an offset is taken to be UTC already."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FormatError(f"{field}: not an ISO 8601 date-time: {text!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_ip(text: str, field: str) -> str:
    """The compressed text form of an IPv4 or IPv6 address (IPv4-mapped IPv6 unwrapped)."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        raise FormatError(f"{field}: not an IP address: {text!r}") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def parse_port(text: str | None, field: str) -> int | None:
    """A TCP/UDP port, 0-65535."""
    if text is None:
        return None
    try:
        port = int(text.strip())
    except ValueError:
        raise FormatError(f"{field}: not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise FormatError(f"{field}: port out of range: {port}")
    return port


def parse_event_name(text: str | None, field: str) -> EventName | None:
    """One of the schema's event names, matched without regard to case."""
    if text is None:
        return None
    for name in EventName:
        if name.value.lower() == text.strip().lower():
            return name
    raise FormatError(f"{field}: unknown event name {text!r}")


def ip_event(tree: Tree, field: str = "ipCaptureEvent") -> IpCaptureEvent:
    """An ``ipCaptureEvent`` element."""
    raw = child_text(tree, "ipAddress")
    if raw is None:
        raise FormatError(f"{field}: ipAddress is missing")
    return IpCaptureEvent(
        ip_address=parse_ip(raw, f"{field}/ipAddress"),
        event_name=parse_event_name(child_text(tree, "eventName"), f"{field}/eventName")
        or EventName.UNKNOWN,
        date_time=parse_time(child_text(tree, "dateTime"), f"{field}/dateTime"),
        port=parse_port(child_text(tree, "port"), f"{field}/port"),
        possible_proxy=parse_bool(child_text(tree, "possibleProxy"), f"{field}/possibleProxy"),
    )


def device_id(tree: Tree) -> DeviceId:
    """A ``deviceId`` element."""
    id_type = child_text(tree, "idType")
    id_value = child_text(tree, "idValue")
    if id_type is None or id_value is None:
        raise FormatError("deviceId: idType and idValue are both required")
    return DeviceId(
        id_type=id_type,
        id_value=id_value,
        event_name=parse_event_name(child_text(tree, "eventName"), "deviceId/eventName"),
        date_time=parse_time(child_text(tree, "dateTime"), "deviceId/dateTime"),
    )


def estimated_location(tree: Tree) -> EstimatedLocation:
    """An ``estimatedLocation`` element (``verified`` and ``timestamp`` are attributes)."""
    code = child_text(tree, "countryCode")
    if code is not None:
        code = code.upper()
        if not _COUNTRY.fullmatch(code):
            raise FormatError(f"estimatedLocation/countryCode: not ISO 3166-1 alpha-2: {code!r}")
    return EstimatedLocation(
        country_code=code,
        verified=bool(parse_bool(tree.attr("verified"), "estimatedLocation@verified")),
        city=child_text(tree, "city"),
        region=child_text(tree, "region"),
        timestamp=parse_time(tree.attr("timestamp"), "estimatedLocation@timestamp"),
    )


def _phone(node: Tree) -> str | None:
    number = (node.text() or "").strip()
    if not number:
        return None
    calling = (node.attr("countryCallingCode") or "").strip()
    if calling and not number.startswith("+"):
        return f"{calling} {number}"
    return number


def person(tree: Tree, details_tag: str) -> ReportedPerson:
    """A ``personOrUserReported`` or ``intendedRecipient`` element.

    E-mails and phones sit in the nested person element (``details_tag``); they are also
    accepted directly under the user element.
    """
    holders = [tree, *tree.children(details_tag)]
    emails = tuple(text for holder in holders for text in texts(holder, "email"))
    phones = tuple(
        phone for holder in holders for node in holder.children("phone") if (phone := _phone(node))
    )
    location = child(tree, "estimatedLocation")
    return ReportedPerson(
        esp_service=child_text(tree, "espService"),
        esp_identifier=child_text(tree, "espIdentifier"),
        screen_name=child_text(tree, "screenName"),
        display_names=texts(tree, "displayName"),
        emails=emails,
        phones=phones,
        profile_urls=texts(tree, "profileUrl"),
        ip_events=tuple(ip_event(node) for node in tree.children("ipCaptureEvent")),
        device_ids=tuple(device_id(node) for node in tree.children("deviceId")),
        prior_reports=texts(tree, "priorCTReports"),
        group_identifier=child_text(tree, "groupIdentifier"),
        estimated_location=None if location is None else estimated_location(location),
    )


def hash_type_name(raw: str) -> str:
    """A ``hashType`` as Interlink names signal types (``SHA-256`` -> ``sha256``)."""
    return re.sub(r"[\s_-]", "", raw).lower()


def file_detail(tree: Tree) -> FileDetail:
    """A ``fileDetails`` element."""
    hashes: list[Signal] = []
    others: list[tuple[str, str]] = []
    for node in tree.children("originalFileHash"):
        raw_type = (node.attr("hashType") or "").strip()
        value = (node.text() or "").strip()
        if not raw_type or not value:
            raise FormatError("originalFileHash: hashType and a value are both required")
        name = hash_type_name(raw_type)
        try:
            hashes.append(Signal(name, registry.normalise(name, value)))
        except UnknownSignalTypeError:
            others.append((raw_type, value))
        except InvalidSignalError as exc:
            raise FormatError(f"originalFileHash: {exc}") from None
    classification = child_text(tree, "industryClassification")
    annotations: set[str] = set()
    for node in tree.children("fileAnnotations"):
        flags = set(node.names())
        text = (node.text() or "").strip()
        if text:
            flags.update(part for part in re.split(r"[\s,]+", text) if part)
        unknown = flags - ANNOTATIONS
        if unknown:
            raise FormatError(f"fileAnnotations: unknown flag {sorted(unknown)[0]!r}")
        annotations |= flags
    ip_node = child(tree, "ipCaptureEvent")
    try:
        category = None if classification is None else Category("industry", classification.upper())
    except InvalidSignalError:
        raise FormatError(
            f"industryClassification: not A1, A2, B1 or B2: {classification!r}"
        ) from None
    return FileDetail(
        file_id=child_text(tree, "fileId"),
        file_name=child_text(tree, "originalFileName"),
        hashes=tuple(hashes),
        other_hashes=tuple(others),
        classification=category,
        annotations=frozenset(annotations),
        uploaded_at=parse_time(
            child_text(tree, "uploadedToEspTimestamp"), "uploadedToEspTimestamp"
        ),
        ip_event=None if ip_node is None else ip_event(ip_node, "fileDetails/ipCaptureEvent"),
        publicly_available=parse_bool(child_text(tree, "publiclyAvailable"), "publiclyAvailable"),
        relevance=child_text(tree, "fileRelevance"),
    )


def report_id_of(tree: Tree) -> str | None:
    """The report's id: a ``reportId`` child or an ``id`` attribute."""
    return child_text(tree, "reportId") or (tree.attr("id") or "").strip() or None


def report(tree: Tree) -> PlatformReport:
    """A whole ``report`` element; raise ``FormatError`` on anything that breaks the rules."""
    report_id = report_id_of(tree)
    if report_id is None:
        raise FormatError("the report has no reportId")
    summary = child(tree, "incidentSummary")
    reported = tuple(
        person(node, "personOrUserReportedPerson") for node in tree.children("personOrUserReported")
    )
    recipients = tuple(
        person(node, "intendedRecipientPerson") for node in tree.children("intendedRecipient")
    )
    return PlatformReport(
        report_id=report_id,
        incident_type=None if summary is None else child_text(summary, "incidentType"),
        incident_time=None
        if summary is None
        else parse_time(child_text(summary, "incidentDateTime"), "incidentDateTime"),
        platform=None if summary is None else child_text(summary, "platform"),
        reported=tuple(item for item in reported if not item.is_empty()),
        recipients=tuple(item for item in recipients if not item.is_empty()),
        files=tuple(file_detail(node) for node in tree.children("fileDetails")),
    )
