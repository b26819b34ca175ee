"""Synthetic platform reports of planted offender networks (benign: hashes are random)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from interlink.domain.categories import Category
from interlink.domain.reports import (
    EstimatedLocation,
    EventName,
    FileDetail,
    IpCaptureEvent,
    PlatformReport,
    ReceivedReport,
    ReportedPerson,
)
from interlink.domain.signals import Signal

START = datetime(2024, 3, 1, tzinfo=UTC)
COUNTRIES = ("DE", "FR", "NL", "ES", "IT", "PL")


def sha256_of(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


@dataclass(frozen=True)
class Planted:
    """Reports and the truth: the network index of every account key."""

    reports: list[ReceivedReport]
    truth: dict[str, int]
    country: dict[str, str]


def planted_reports(
    networks: int = 12,
    size: int = 8,
    media: int = 20,
    seed: int = 3,
    noise: float = 0.05,
    locations: bool = True,
) -> Planted:
    """``networks`` rings of ``size`` accounts exchanging their own ``media`` files.

    Each report: one member sends 2-4 of the ring's files to another member. A fraction
    ``noise`` of the files sent are some other ring's. With ``locations`` every account has a
    verified location; without, only its Login IP (198.51.100.x) places it.
    """
    rng = random.Random(seed)
    reports: list[ReceivedReport] = []
    truth: dict[str, int] = {}
    country: dict[str, str] = {}
    count = 0
    for net in range(networks):
        for member in range(size):
            key = f"chatly/n{net}m{member}"
            truth[key] = net
            country[key] = COUNTRIES[(net + member) % len(COUNTRIES)]
    for net in range(networks):
        for _ in range(size * 3):
            sender, receiver = rng.sample(range(size), 2)
            files = []
            for _ in range(rng.randint(2, 4)):
                owner = net if rng.random() > noise else rng.randrange(networks)
                label = f"n{owner}f{rng.randrange(media)}"
                files.append(
                    FileDetail(
                        file_id=label,
                        hashes=(Signal("sha256", sha256_of(label)),),
                        classification=Category("industry", "A2"),
                    )
                )
            count += 1
            moment = START + timedelta(hours=count)
            people = []
            for who in (sender, receiver):
                key = f"n{net}m{who}"
                people.append(
                    ReportedPerson(
                        esp_service="Chatly",
                        esp_identifier=key,
                        screen_name=f"user{key}",
                        ip_events=(
                            IpCaptureEvent(
                                f"198.51.100.{(net * size + who) % 250 + 1}",
                                EventName.LOGIN,
                                moment,
                                port=40000 + net * size + who,
                            ),
                        ),
                        estimated_location=EstimatedLocation(
                            country[f"chatly/{key}"], verified=True
                        )
                        if locations
                        else None,
                    )
                )
            report = PlatformReport(
                report_id=str(100000 + count),
                incident_time=moment,
                reported=(people[0],),
                recipients=(people[1],),
                files=tuple(files),
            )
            reports.append(ReceivedReport(report, agency="NCMEC", case="op-test"))
    rng.shuffle(reports)
    return Planted(reports, truth, country)
