"""Kill a running ``interlink scan`` midway, for the resume tests of local and cluster scans."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import encode, scene


def slow_exhibit(folder: str | os.PathLike[str], count: int = 100) -> None:
    """``count`` large PNGs, slow enough to analyse that a scan can be killed halfway; each
    differs in one block of pixels so every file is its own media."""
    base = np.asarray(scene(1, size=(1200, 900))).copy()
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        base[:8, :8] = i
        image = Image.fromarray(base)
        with open(os.path.join(folder, f"img{i:03d}.png"), "wb") as out:
            out.write(encode(image, "PNG", compress_level=1))


def counts(url: str) -> tuple[int, int, int, int]:
    """Rows in sightings, media, media_signals and thumbnails. It opens the store without
    migrating it: a poll that migrated a database the scan was migrating too made the scan
    fail on "table ... already exists", so it "ended before it was killed" under load."""
    store = SqlStore.open(url, migrate_schema=False)
    try:
        with store.engine.connect() as connection:
            found = tuple(
                int(connection.execute(text(f"select count(*) from {table}")).scalar() or 0)
                for table in ("sightings", "media", "media_signals", "thumbnails")
            )
    finally:
        store.close()
    return found  # type: ignore[return-value]


def _stored(url: str) -> int:
    """Sightings stored so far; 0 while the scan has not made its tables yet."""
    try:
        return counts(url)[0]
    except DBAPIError:  # no such table yet (or, briefly, the database is locked)
        return 0


def kill_midway(
    command: list[str], env: dict[str, str], url: str, at: int = 10, *, hang: float = 900
) -> int:
    """Start ``command``, SIGKILL its process group once ``at`` sightings are stored; the
    number stored then. Fails, with the scan's error output, if the scan ends first, and if
    it stores fewer than ``at`` in ``hang`` seconds (a hang guard, not a speed check: a
    loaded machine only makes the scan slower, and it is never killed early)."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            start_new_session=True,
        )
        deadline = time.monotonic() + hang
        try:
            while _stored(url) < at:
                if process.poll() is not None:
                    errors.seek(0)
                    tail = errors.read().decode(errors="replace")[-2000:]
                    pytest.fail(f"the scan ended before it was killed:\n{tail}")
                if time.monotonic() > deadline:
                    pytest.fail(f"the scan stored fewer than {at} files in {hang:.0f} s")
                time.sleep(0.1)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return counts(url)[0]
