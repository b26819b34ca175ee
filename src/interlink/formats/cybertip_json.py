"""CyberTipline-style platform reports in JSON: a streaming reader and a writer.

The JSON form mirrors the XML one (``interlink.formats.cybertip``) element for element, as
NCMEC's JSON-speaking integrators do: each element is a key; a repeated element is an array
(a single object is accepted too); an element's attributes are keys of its object and its
text is the ``value`` key (``{"hashType": "MD5", "value": "..."}``), or the element is a
plain string when it has no attributes; ``fileAnnotations`` is an object of flags
(``{"viral": true}``) or an array of flag names. A file is either an array of reports or an
object whose ``reports`` key holds that array. Reports are streamed one at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from types import MappingProxyType
from typing import Any, BinaryIO

import ijson
from ijson.common import ObjectBuilder

from interlink.domain.errors import FormatError
from interlink.domain.reports import (
    DeviceId,
    EstimatedLocation,
    FileDetail,
    IpCaptureEvent,
    PlatformReport,
    ReportedPerson,
    ReportProblem,
)
from interlink.formats import cybertip_fields as fields
from interlink.formats.cybertip_fields import Tree

#: Element -> the keys of its JSON object that are XML attributes.
ATTRIBUTES: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "report": frozenset({"id"}),
        "estimatedLocation": frozenset({"verified", "timestamp"}),
        "originalFileHash": frozenset({"hashType"}),
        "email": frozenset({"verified", "type", "verificationDate"}),
        "phone": frozenset({"verified", "type", "countryCallingCode", "extension"}),
    }
)
_REPORT_PREFIXES = frozenset({"item", "reports.item"})


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _JsonTree:
    """``Tree`` over a decoded JSON value."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def attr(self, name: str) -> str | None:
        return _scalar(self._value.get(name)) if isinstance(self._value, dict) else None

    def text(self) -> str | None:
        if isinstance(self._value, dict):
            return _scalar(self._value.get("value"))
        return _scalar(self._value)

    def children(self, name: str) -> list[Tree]:
        if not isinstance(self._value, dict):
            return []
        found = self._value.get(name)
        if found is None:
            return []
        if isinstance(found, list):
            return [_JsonTree(item) for item in found]
        return [_JsonTree(found)]

    def names(self) -> Iterator[str]:
        if not isinstance(self._value, dict):
            return iter(())
        return (key for key, value in self._value.items() if value not in (False, None))


def _convert(value: Any, index: int) -> PlatformReport | ReportProblem:
    position = f"report {index}"
    if not isinstance(value, dict):
        return ReportProblem(position, "a report must be a JSON object")
    tree = _JsonTree(value)
    try:
        return fields.report(tree)
    except FormatError as exc:
        return ReportProblem(position, exc.reason, fields.report_id_of(tree))


def read_reports(stream: BinaryIO) -> Iterator[PlatformReport | ReportProblem]:
    """Every report of a JSON file, in order, or a ``ReportProblem`` for each bad one (and one
    for a file that holds no report)."""
    index = 0
    builder: ObjectBuilder | None = None
    depth = 0
    try:
        for prefix, event, value in ijson.parse(stream, use_float=True):
            if builder is None:
                if prefix not in _REPORT_PREFIXES or event in ("end_map", "end_array"):
                    continue
                if event == "map_key":
                    continue
                builder = ObjectBuilder()
                depth = 0
            builder.event(event, value)
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
            if depth == 0:
                index += 1
                yield _convert(builder.value, index)
                builder = None
    except ijson.JSONError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        yield ReportProblem(
            f"after report {index}",
            f"the JSON is not well formed ({reason}); no further report was read",
        )
        return
    if index == 0:
        yield ReportProblem("file", "no report found (expected an array of reports)")


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _compact(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value not in (None, [], {})}


def _ip(event: IpCaptureEvent) -> dict[str, Any]:
    return _compact(
        {
            "ipAddress": event.ip_address,
            "eventName": event.event_name.value,
            "dateTime": _time(event.date_time),
            "port": event.port,
            "possibleProxy": event.possible_proxy,
        }
    )


def _device(device: DeviceId) -> dict[str, Any]:
    return _compact(
        {
            "idType": device.id_type,
            "idValue": device.id_value,
            "eventName": None if device.event_name is None else device.event_name.value,
            "dateTime": _time(device.date_time),
        }
    )


def _location(location: EstimatedLocation) -> dict[str, Any]:
    return _compact(
        {
            "verified": location.verified,
            "timestamp": _time(location.timestamp),
            "city": location.city,
            "region": location.region,
            "countryCode": location.country_code,
        }
    )


def _person(person: ReportedPerson, details_tag: str) -> dict[str, Any]:
    return _compact(
        {
            details_tag: _compact({"email": list(person.emails), "phone": list(person.phones)}),
            "espIdentifier": person.esp_identifier,
            "espService": person.esp_service,
            "screenName": person.screen_name,
            "displayName": list(person.display_names),
            "profileUrl": list(person.profile_urls),
            "ipCaptureEvent": [_ip(event) for event in person.ip_events],
            "deviceId": [_device(device) for device in person.device_ids],
            "priorCTReports": list(person.prior_reports),
            "groupIdentifier": person.group_identifier,
            "estimatedLocation": None
            if person.estimated_location is None
            else _location(person.estimated_location),
        }
    )


def _file(detail: FileDetail) -> dict[str, Any]:
    hashes = [{"hashType": signal.type.upper(), "value": signal.value} for signal in detail.hashes]
    hashes += [{"hashType": kind, "value": value} for kind, value in detail.other_hashes]
    return _compact(
        {
            "fileId": detail.file_id,
            "originalFileName": detail.file_name,
            "uploadedToEspTimestamp": _time(detail.uploaded_at),
            "publiclyAvailable": detail.publicly_available,
            "fileRelevance": detail.relevance,
            "fileAnnotations": {name: True for name in sorted(detail.annotations)},
            "industryClassification": None
            if detail.classification is None
            else detail.classification.code,
            "originalFileHash": hashes,
            "ipCaptureEvent": None if detail.ip_event is None else _ip(detail.ip_event),
        }
    )


def report_to_json(report: PlatformReport) -> dict[str, Any]:
    """The JSON object of one report, as ``read_reports`` reads it back."""
    return _compact(
        {
            "reportId": report.report_id,
            "incidentSummary": _compact(
                {
                    "incidentType": report.incident_type,
                    "platform": report.platform,
                    "incidentDateTime": _time(report.incident_time),
                }
            ),
            "personOrUserReported": [
                _person(item, "personOrUserReportedPerson") for item in report.reported
            ],
            "intendedRecipient": [
                _person(item, "intendedRecipientPerson") for item in report.recipients
            ],
            "fileDetails": [_file(item) for item in report.files],
        }
    )


def write_reports(reports: Iterable[PlatformReport]) -> Iterator[bytes]:
    """The JSON document ``{"reports": [...]}`` of ``reports``, in UTF-8 pieces."""
    yield b'{"reports": ['
    for index, item in enumerate(reports):
        prefix = b"\n" if index == 0 else b",\n"
        yield prefix + json.dumps(report_to_json(item), ensure_ascii=False).encode("utf-8")
    yield b"\n]}\n"


def report_from_json(value: Any) -> PlatformReport:
    """The report ``report_to_json`` wrote; ``FormatError`` when ``value`` is not one."""
    found = _convert(value, 0)
    if isinstance(found, ReportProblem):
        raise FormatError(found.reason, found.position)
    return found
