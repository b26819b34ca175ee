from pathlib import Path

import pytest

from interlink.adapters.maxmind import MaxMindGeoIp
from interlink.domain.errors import ConfigurationError
from tests.network.mmdb import build_mmdb


def test_lookup_reads_country_then_registered_country(tmp_path: Path) -> None:
    path = tmp_path / "geo.mmdb"
    path.write_bytes(
        build_mmdb(
            {
                "198.51.100.0/24": {"country": {"iso_code": "de", "names": {"en": "Germany"}}},
                "203.0.113.0/25": {"registered_country": {"iso_code": "FR"}},
                "192.0.2.0/24": {"city": {"names": {"en": "Nowhere"}}},
            }
        )
    )
    with MaxMindGeoIp(path) as geo:
        assert geo.country("198.51.100.77") == "DE"
        assert geo.country("203.0.113.5") == "FR"
        assert geo.country("203.0.113.200") is None
        assert geo.country("192.0.2.1") is None
        assert geo.country("10.0.0.1") is None
        assert geo.country("not an address") is None


def test_a_file_that_is_not_an_mmdb_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.mmdb"
    path.write_bytes(b"plain text, no metadata")
    with pytest.raises(ConfigurationError):
        MaxMindGeoIp(path)
