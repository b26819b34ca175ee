"""IP geolocation from a MaxMind-format database (GeoLite2/GeoIP2 Country or City, or any
MMDB whose records carry ``country.iso_code``). None is bundled: the operator supplies it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import maxminddb

from interlink.domain.errors import ConfigurationError


class MaxMindGeoIp:
    """``GeoIpLookup`` over an MMDB file, opened read-only for the object's life.

    A record's ``country.iso_code`` is used, else its ``registered_country.iso_code``.
    """

    def __init__(self, path: Path) -> None:
        if not path.is_file():  # a FIFO would block the reader; a folder is no database
            raise ConfigurationError(f"cannot open the GeoIP database {path}: not a file")
        try:
            self._reader = maxminddb.open_database(str(path))
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            raise ConfigurationError(f"cannot open the GeoIP database {path}: {exc}") from exc
        self._cache: dict[str, str | None] = {}

    def country(self, address: str) -> str | None:
        """See ``GeoIpLookup.country``."""
        if address in self._cache:
            return self._cache[address]
        try:
            record: Any = self._reader.get(address)
        except ValueError:
            record = None
        found: str | None = None
        if isinstance(record, dict):
            for field in ("country", "registered_country"):
                value = record.get(field)
                if isinstance(value, dict) and isinstance(value.get("iso_code"), str):
                    found = value["iso_code"].upper()
                    break
        self._cache[address] = found
        return found

    def close(self) -> None:
        """Release the database file."""
        self._reader.close()

    def __enter__(self) -> MaxMindGeoIp:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
