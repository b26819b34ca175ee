"""Shared fixtures: store URLs for both backends, generated benign images."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import sqlalchemy
from hypothesis import HealthCheck, settings
from sqlalchemy.engine import make_url

# How long Hypothesis takes to generate an example depends on how loaded the machine is, not on
# the code under test: on a shared 2-core machine its "too slow" health check and per-example
# deadline fail at random. The properties themselves are checked in full either way.
settings.register_profile("interlink", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("interlink")
if TYPE_CHECKING:
    from tests.sources.disk_builders import DiskImages

PG_URL = os.environ.get(
    "INTERLINK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_available() -> str | None:
    try:
        engine = sqlalchemy.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("select 1"))
        engine.dispose()
    except sqlalchemy.exc.OperationalError as exc:
        return str(exc).splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_base() -> str:
    """The PostgreSQL URL; under CI=true an unreachable server fails instead of skipping."""
    reason = _postgres_available()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
        pytest.skip(f"PostgreSQL not reachable: {reason}")
    return PG_URL


@pytest.fixture
def postgres_url(postgres_base: str) -> Iterator[str]:
    """A URL whose connections use a fresh, private schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sqlalchemy.create_engine(postgres_base)
    with admin.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres_base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'interlink.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def disk_images(tmp_path_factory: pytest.TempPathFactory) -> DiskImages:
    """Benign disk images built once per session (``tests/sources/disk_builders``)."""
    from tests.sources.disk_builders import build_disk_images, tools_missing

    missing = tools_missing()
    if missing:
        pytest.fail(f"disk-image tools missing (run scripts/system-deps): {', '.join(missing)}")
    return build_disk_images(tmp_path_factory.mktemp("disk-images"))


@pytest.fixture(scope="session")
def luks_disk(disk_images: DiskImages, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MBR disk whose partition is a LUKS1 volume around ``disk_images.ext``."""
    from tests.sources.disk_builders import build_luks_disk

    return build_luks_disk(tmp_path_factory.mktemp("luks"), disk_images.ext)
