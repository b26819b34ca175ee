"""Hypothesis strategies for platform reports (benign, random identifiers and hashes)."""

from __future__ import annotations

import ipaddress
import string
from datetime import UTC, datetime

from hypothesis import strategies as st

from interlink.domain.categories import Category
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
from interlink.formats.cybertip_fields import ANNOTATIONS

_ALPHABET = string.ascii_letters + string.digits + " .-_@&<>'\"éß+"
words = st.text(alphabet=_ALPHABET, min_size=1, max_size=12).map(str.strip).filter(bool)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)
ips = (
    st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6))
    .filter(
        lambda address: (
            not (isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None)
        )
    )
    .map(str)
)
events = st.builds(
    IpCaptureEvent,
    ip_address=ips,
    event_name=st.sampled_from(EventName),
    date_time=st.none() | times,
    port=st.none() | st.integers(0, 65535),
    possible_proxy=st.none() | st.booleans(),
)
locations = st.builds(
    EstimatedLocation,
    country_code=st.none() | st.from_regex(r"[A-Z]{2}", fullmatch=True),
    verified=st.booleans(),
    city=st.none() | words,
    region=st.none() | words,
    timestamp=st.none() | times,
)
people = st.builds(
    ReportedPerson,
    esp_service=st.none() | words,
    esp_identifier=words,
    screen_name=st.none() | words,
    display_names=st.lists(words, max_size=2).map(tuple),
    emails=st.lists(words, max_size=2).map(tuple),
    phones=st.lists(st.from_regex(r"\+?[0-9][0-9 ]{5,11}[0-9]", fullmatch=True), max_size=2).map(
        tuple
    ),
    profile_urls=st.lists(words, max_size=1).map(tuple),
    ip_events=st.lists(events, max_size=2).map(tuple),
    device_ids=st.lists(
        st.builds(
            DeviceId,
            id_type=words,
            id_value=words,
            event_name=st.none() | st.sampled_from(EventName),
            date_time=st.none() | times,
        ),
        max_size=2,
    ).map(tuple),
    prior_reports=st.lists(st.from_regex(r"[0-9]{3,9}", fullmatch=True), max_size=2).map(tuple),
    group_identifier=st.none() | words,
    estimated_location=st.none() | locations,
)
hex32 = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
hex64 = st.from_regex(r"[0-9a-f]{64}", fullmatch=True)
files = st.builds(
    FileDetail,
    file_id=st.none() | words,
    file_name=st.none() | words,
    hashes=st.tuples(
        hex32.map(lambda v: Signal("md5", v)), hex64.map(lambda v: Signal("sha256", v))
    ),
    other_hashes=st.lists(st.tuples(st.just("VendorHash"), words), max_size=1).map(tuple),
    classification=st.none()
    | st.sampled_from(("A1", "A2", "B1", "B2")).map(lambda code: Category("industry", code)),
    annotations=st.frozensets(st.sampled_from(sorted(ANNOTATIONS)), max_size=3),
    uploaded_at=st.none() | times,
    ip_event=st.none() | events,
    publicly_available=st.none() | st.booleans(),
    relevance=st.none() | st.sampled_from(("Reported", "Supplemental Reported")),
)
reports = st.builds(
    PlatformReport,
    report_id=st.from_regex(r"[0-9]{4,10}", fullmatch=True),
    incident_type=st.none() | words,
    incident_time=st.none() | times,
    platform=st.none() | words,
    reported=st.lists(people, max_size=2).map(tuple),
    recipients=st.lists(people, max_size=2).map(tuple),
    files=st.lists(files, max_size=3).map(tuple),
)
