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
- ``INTERLINK_AUDIT_KEY``: the node's Ed25519 audit signing key, a file only the service user
  may read (default ``$INTERLINK_HOME/audit-key.pem``; created 0600 on first use).
- ``INTERLINK_AUDIT_CHECKPOINT_RECORDS``, ``INTERLINK_AUDIT_CHECKPOINT_SECONDS``: sign a
  checkpoint of the audit chain when a command or job ends and the chain grew by this many
  records, or grew at all and the last checkpoint is this old (defaults 1000 and 3600).
- ``INTERLINK_EVIDENCE_ROOTS``: the folders (a path list, separated by ``:``) under which
  submitted scan jobs may read evidence; none by default, so jobs are refused until set.
- ``INTERLINK_ROBUST_SIGNAL``: ``on`` (default) or ``off``: whether scans and ``lists add``
  compute the ORB signal that recognises images after crops, borders and rotations.

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
    audit_key: Path | None = None
    audit_checkpoint_records: int = 1000
    audit_checkpoint_seconds: float = 3600.0
    evidence_roots: tuple[Path, ...] = ()

    @property
    def audit_key_path(self) -> Path:
        """Where the node's audit key is (``INTERLINK_AUDIT_KEY``, else under the home)."""
        return self.audit_key or self.home / "audit-key.pem"

    robust_signal: bool = True
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
        every_records = _positive(env, "INTERLINK_AUDIT_CHECKPOINT_RECORDS", "1000")
        every_seconds = _positive(env, "INTERLINK_AUDIT_CHECKPOINT_SECONDS", "3600")
        roots = tuple(
            Path(part) for part in env.get("INTERLINK_EVIDENCE_ROOTS", "").split(os.pathsep) if part
        )
        robust_text = env.get("INTERLINK_ROBUST_SIGNAL", "on").strip().lower()
        if robust_text not in ("on", "off"):
            raise ConfigurationError(
                f"INTERLINK_ROBUST_SIGNAL must be on or off, not {robust_text!r}"
            )
        return cls(
            home=home,
            database_url=url,
            workers=workers,
            actor=actor,
            agency=agency,
            country=country,
            trusted_votes=trusted_votes,
            audit_key=Path(env["INTERLINK_AUDIT_KEY"]) if env.get("INTERLINK_AUDIT_KEY") else None,
            audit_checkpoint_records=int(every_records),
            audit_checkpoint_seconds=every_seconds,
            evidence_roots=roots,
            robust_signal=robust_text == "on",
            dask_scheduler=env.get("INTERLINK_DASK_SCHEDULER", "").strip() or None,
        )


def _positive(env: Mapping[str, str], name: str, default: str) -> float:
    text = env.get(name, default)
    try:
        value = float(text)
    except ValueError:
        raise ConfigurationError(f"{name} is not a number: {text!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{name} must be more than 0, not {text!r}")
    return value


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
