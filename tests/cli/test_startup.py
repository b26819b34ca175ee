"""What the commands measured by ``bench/startup.py`` import: the guard of their start-up time.

Each command runs in a fresh interpreter (as ``interlink`` does) on a store that exists already,
and reports the modules loaded when it ends. Timing is left to the benchmark: which modules are
loaded does not depend on the machine's load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interlink.demo.images import encode, scene

#: Loaded by no command below: tests, servers, clusters, video, graphs, migrations, Typer's
#: pydantic converters, Rich's Markdown (markdown-it, Pygments) and traceback renderers.
NEVER = (
    "alembic",
    "av",
    "dask",
    "distributed",
    "fastapi",
    "igraph",
    "jinja2",
    "markdown_it",
    "numba",
    "pydantic",
    "pygments",
    "py7zr",
    "rich.markdown",
    "rich.traceback",
    "typer._adapters",
    "uvicorn",
)
#: Loaded by ``--help`` on top of ``NEVER``: none of the store, the media stack, the services.
NOT_FOR_HELP = (
    "sqlalchemy",
    "numpy",
    "PIL",
    "cv2",
    "interlink.settings",
    "interlink.services",
    "interlink.domain.cases",
    "interlink.adapters",
)
#: Loaded by ``cases --json`` on top of ``NEVER``, on a SQLite store at the newest migration
#: that holds the acting agency: no SQLAlchemy (the standard library's ``sqlite3`` reads the
#: list), no media stack, no Rich (JSON only), no audit service (no key file), no linking rules.
NOT_FOR_CASES = (
    "sqlalchemy",
    "interlink.adapters.sql.store",
    "interlink.adapters.sql.schema",
    "interlink.services.cases",
    "interlink.linking",
    "numpy",
    "PIL",
    "cv2",
    "rich",
    "interlink.services.audit",
    "interlink.services.case_links",
    "interlink.adapters.sql.accounts",
    "interlink.adapters.sql.chats",
    "interlink.adapters.sql.media",
    "interlink.adapters.sql.peers",
    "interlink.sources.exhibit",
    "sqlalchemy.dialects.postgresql",
)
#: Loaded by a ``--json`` scan of one photo on top of ``NEVER``.
NOT_FOR_SCAN = (
    "rich",
    "interlink.services.audit",
    "interlink.adapters.sql.accounts",
    "interlink.sources.sevenzip",
    "interlink.sources.zip_archive",
    "sqlalchemy.dialects.postgresql",
)

_PROGRAM = """
import json, sys
from interlink.cli.app import main
try:
    main({args!r})
except SystemExit as stop:
    code = stop.code
else:
    code = 0
print(json.dumps({{"code": code, "modules": sorted(sys.modules)}}), file=sys.stderr)
"""


def loaded(args: list[str], env: dict[str, str]) -> set[str]:
    """The modules loaded by the time ``interlink ARGS`` ends (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM.format(args=args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    last = done.stderr.strip().splitlines()[-1]
    outcome = json.loads(last)
    assert outcome["code"] in (0, None), done.stderr
    return set(outcome["modules"])


def found(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` (a module or any module under it) is loaded."""
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    environment = {**os.environ, "INTERLINK_HOME": str(home), "INTERLINK_ACTOR": "tester"}
    environment.pop("INTERLINK_DB", None)
    loaded(["cases", "--json"], environment)  # creates and migrates the store
    return environment


def test_help_loads_neither_the_store_nor_the_media_stack(env: dict[str, str]) -> None:
    modules = loaded(["--help"], env)
    assert found(modules, NEVER + NOT_FOR_HELP) == []
    assert "typer.rich_utils" in modules  # the help is Rich's as before, without its Markdown


def test_cases_json_loads_the_store_and_the_listing_only(env: dict[str, str]) -> None:
    modules = loaded(["cases", "--json"], env)
    assert found(modules, NEVER + NOT_FOR_CASES) == []
    assert "interlink.adapters.sqlite_reads" in modules  # the store is really read


def test_cases_json_opens_the_sql_store_to_create_the_agency(env: dict[str, str]) -> None:
    """A new acting agency is created (and audited) through the SQL store, as before."""
    new_agency = {**env, "INTERLINK_AGENCY": "Newly-Named"}
    assert "sqlalchemy" in loaded(["cases", "--json"], new_agency)
    assert "sqlalchemy" not in loaded(["cases", "--json"], new_agency)


def test_a_scan_of_one_photo_loads_no_archive_reader_and_no_rich(
    env: dict[str, str], tmp_path: Path
) -> None:
    exhibit = tmp_path / "exhibit"
    exhibit.mkdir()
    (exhibit / "photo.jpg").write_bytes(encode(scene(3), "JPEG"))
    modules = loaded(["scan", str(exhibit), "--case", "C", "--json"], env)
    assert found(modules, NEVER + NOT_FOR_SCAN) == []
    assert {"numpy", "PIL"} <= modules  # the photo is really analysed
    # Another photo scanned into another case: its PDQ is searched among the few stored ones
    # by brute force, with no Hamming index and no compiled kernels (nor a big store's kept
    # index).
    other = tmp_path / "other"
    other.mkdir()
    (other / "photo.jpg").write_bytes(encode(scene(4), "JPEG"))
    again = loaded(["scan", str(other), "--case", "D", "--json"], env)
    assert found(again, NEVER + NOT_FOR_SCAN + ("numba", "interlink.services.media_index")) == []


def test_a_command_with_a_key_file_still_signs_its_checkpoint(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The audit service is skipped at a command's end only when there is no key to sign
    with."""
    keyed = {**env, "INTERLINK_AUDIT_KEY": str(tmp_path / "audit-key.pem")}
    keyed["INTERLINK_AUDIT_CHECKPOINT_RECORDS"] = "1"
    loaded(["audit", "keygen"], keyed)
    assert "interlink.services.audit" in loaded(["cases", "open", "K"], keyed)
    listing = loaded(["cases", "--json"], keyed)  # the SQL store, to sign at the end as before
    assert {"sqlalchemy", "interlink.services.audit"} <= listing
    verified = subprocess.run(
        [sys.executable, "-m", "interlink", "audit", "verify", "--json"],
        capture_output=True,
        text=True,
        env=keyed,
        timeout=300,
        check=True,
    )
    outcome = json.loads(verified.stdout)
    assert outcome["ok"] is True and outcome["checkpoints"] >= 1
