"""Kill a running ``interlink scan`` midway, for the resume tests of local and cluster scans."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import text

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
    """Rows in sightings, media, media_signals and thumbnails."""
    store = SqlStore.open(url)
    with store.engine.connect() as connection:
        found = tuple(
            int(connection.execute(text(f"select count(*) from {table}")).scalar() or 0)
            for table in ("sightings", "media", "media_signals", "thumbnails")
        )
    store.close()
    return found  # type: ignore[return-value]


def kill_midway(command: list[str], env: dict[str, str], url: str, at: int = 10) -> int:
    """Start ``command``, SIGKILL its process group once ``at`` sightings are stored; the
    number stored then."""
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("the scan ended before it was killed")
            try:
                if counts(url)[0] >= at:
                    break
            except Exception:
                pass
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    return counts(url)[0]
