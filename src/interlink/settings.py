"""Settings, read once at start-up from the environment and command-line options.

- ``INTERLINK_HOME``: folder for the embedded store and caches
  (default ``$XDG_DATA_HOME/interlink``, else ``~/.local/share/interlink``).
- ``INTERLINK_DB``: database URL, ``sqlite:///PATH`` or ``postgresql://USER@HOST/DB``
  (default ``sqlite:///$INTERLINK_HOME/interlink.db``).
- ``INTERLINK_WORKERS``: worker processes for scans (default: the number of CPUs).
- ``INTERLINK_DASK_SCHEDULER``: the Dask scheduler scans run on (``tcp://HOST:8786``; default:
  none, scans run on local worker processes).
- ``INTERLINK_ACTOR``: who is acting, for the audit log (default: the operating-system user).
- ``INTERLINK_TRUSTED_VOTES``: independent agencies that must agree on an item's category for
  it to be graded trusted (default 3, as the UK's CAID does).
- ``INTERLINK_AGENCY``: the agency acting, by name (default ``local``); created on first use.
- ``INTERLINK_COUNTRY``: the ISO 3166-1 alpha-2 country given to the acting agency when it is
  created (default ``ZZ``, the user-assigned code for "unknown"); an existing agency keeps its
  country.

Command-line options (``--db``, ``--home``, ``--workers``, ``--agency``) override the
environment.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from interlink.domain.cases import LOCAL_AGENCY, LOCAL_COUNTRY, country_code
from interlink.domain.errors import ConfigurationError, InvalidFieldError


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the store is, how many workers scan, and who is acting for which agency."""

    home: Path
    database_url: str
    workers: int
    actor: str
    agency: str = LOCAL_AGENCY
    country: str = LOCAL_COUNTRY
    trusted_votes: int = 3
    dask_scheduler: str | None = None

    @classmethod
    def load(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        home: Path | None = None,
        database_url: str | None = None,
        workers: int | None = None,
        agency: str | None = None,
    ) -> Settings:
        """Settings from ``env`` (default: the process environment) and explicit overrides."""
        env = os.environ if env is None else env
        if home is None:
            if env.get("INTERLINK_HOME"):
                home = Path(env["INTERLINK_HOME"])
            else:
                data = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
                home = Path(data) / "interlink"
        url = database_url or env.get("INTERLINK_DB") or f"sqlite:///{home / 'interlink.db'}"
        if workers is None:
            text = env.get("INTERLINK_WORKERS", "")
            try:
                workers = int(text) if text else (os.cpu_count() or 1)
            except ValueError:
                raise ConfigurationError(f"INTERLINK_WORKERS is not a number: {text!r}") from None
        if workers < 0:
            raise ConfigurationError(f"workers must be 0 or more, not {workers}")
        actor = env.get("INTERLINK_ACTOR") or _os_user()
        agency = (agency or env.get("INTERLINK_AGENCY") or LOCAL_AGENCY).strip()
        if not agency:
            raise ConfigurationError("the agency name must not be empty")
        text = env.get("INTERLINK_COUNTRY") or LOCAL_COUNTRY
        try:
            country = country_code(text)
        except InvalidFieldError:
            raise ConfigurationError(
                f"INTERLINK_COUNTRY is not ISO 3166-1 alpha-2: {text!r}"
            ) from None
        votes_text = env.get("INTERLINK_TRUSTED_VOTES", "3")
        try:
            trusted_votes = int(votes_text)
        except ValueError:
            raise ConfigurationError(
                f"INTERLINK_TRUSTED_VOTES is not a number: {votes_text!r}"
            ) from None
        if trusted_votes < 1:
            raise ConfigurationError("INTERLINK_TRUSTED_VOTES must be 1 or more")
        return cls(
            home=home,
            database_url=url,
            workers=workers,
            actor=actor,
            agency=agency,
            country=country,
            trusted_votes=trusted_votes,
            dask_scheduler=env.get("INTERLINK_DASK_SCHEDULER", "").strip() or None,
        )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
