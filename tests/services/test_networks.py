import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from interlink.adapters.memory.networks import InMemoryKnownMedia, InMemoryNetworkRepository
from interlink.domain.errors import FormatError, NotFoundError
from interlink.formats import cybertip, cybertip_json
from interlink.services import networks as service
from tests.network.planted import planted_reports


def _xml(bad: bool = True) -> bytes:
    planted = planted_reports(networks=4, size=5)
    data = b"".join(cybertip.write_reports(item.report for item in planted.reports))
    if bad:
        # Break the IP address of the first report: that report alone becomes a problem.
        data = data.replace(b"<ipAddress>198.51.100.", b"<ipAddress>998.51.100.", 1)
    return data


def test_import_keeps_good_reports_and_lists_the_bad_one() -> None:
    repository = InMemoryNetworkRepository()
    result = service.import_reports(repository, io.BytesIO(_xml()), agency="NCMEC", case="op")
    assert result.imported == 59 and result.new == 59
    assert len(result.problems) == 1 and "998.51.100" in result.problems[0].reason
    again = service.import_reports(repository, io.BytesIO(_xml()))
    assert again.imported == 59 and again.new == 0
    stored = list(repository.reports())
    assert len(stored) == 59 and stored[0].agency is None


def test_json_is_sniffed_and_imported() -> None:
    planted = planted_reports(networks=2, size=3)
    data = b"".join(cybertip_json.write_reports(item.report for item in planted.reports))
    repository = InMemoryNetworkRepository()
    result = service.import_reports(repository, io.BytesIO(b"\n " + data))
    assert result.imported == len(planted.reports) and not result.problems
    with pytest.raises(FormatError):
        service.sniff_format(b"PK\x03\x04")


def test_build_show_export_and_refer(tmp_path: Path) -> None:
    repository = InMemoryNetworkRepository()
    with pytest.raises(NotFoundError):
        service.get_build(repository)
    service.import_reports(repository, io.BytesIO(_xml(bad=False)), agency="NCMEC")
    moment = datetime(2024, 8, 1, tzinfo=UTC)
    built = service.build(repository, InMemoryKnownMedia(), now=lambda: moment)
    assert built.created_at == moment and built.report_count == 60
    assert service.get_build(repository).build_id == built.build_id
    assert len(built.analysis.networks) == 4
    view = service.show(repository, "N1")
    assert len(view.members) == 5
    assert [member.capital for member in view.members] == sorted(
        (member.capital for member in view.members), reverse=True
    )
    assert all(member.country is not None for member in view.members)
    with pytest.raises(NotFoundError):
        service.show(repository, "N99")
    graphml = service.export(repository, tmp_path / "out", "graphml")
    assert [path.name for path in graphml] == ["network.graphml"]
    assert graphml[0].read_bytes().startswith(b"<?xml")
    tables = service.export(repository, tmp_path / "out", "csv", build_id=built.build_id)
    assert [path.name for path in tables] == ["nodes.csv", "edges.csv"]
    written = service.referrals(repository, tmp_path / "refer")
    countries = {path.stem.removeprefix("referral-") for path in written}
    assert countries == {"DE", "FR", "NL", "ES", "IT", "PL"}
    package = json.loads((tmp_path / "refer" / "referral-DE.json").read_text())
    assert package["country"] == "DE" and package["accounts"]
    only = service.referrals(repository, tmp_path / "only", countries=["de"])
    assert sorted(path.name for path in only) == ["referral-DE.html", "referral-DE.json"]
    assert not list((tmp_path / "only").glob(".*"))
