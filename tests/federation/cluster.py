"""Real nodes for federation tests: ``interlink serve`` processes on loopback, each with its own
PostgreSQL database (created here, dropped afterwards) and its own home (identity key)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import sqlalchemy
from sqlalchemy.engine import make_url

from interlink.adapters.sql.store import SqlStore
from interlink.services.peers import LocalNode, local_node

#: Seconds a server may take to answer ``/readyz`` (three start at once on a loaded 2-core
#: machine: at a load average of 30 one took over 60 s; ``tests/cli/test_serve.py`` allows 240).
READY_WITHIN = 240.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServedNode:
    """One node: its database, home, identity, port and (while it runs) its process."""

    name: str
    agency: str
    database_url: str
    home: Path
    port: int
    node: LocalNode
    store: SqlStore
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Where peers reach it."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start ``interlink serve`` (not waiting for it)."""
        log = (self.home / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "interlink",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
        )
        log.close()

    def wait_ready(self) -> None:
        """Poll ``/readyz`` until the node is ready (its log in the failure)."""
        deadline = time.monotonic() + READY_WITHIN
        while True:
            assert self.process is not None
            assert self.process.poll() is None, self.log()
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the server (no clean shutdown) and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def log(self) -> str:
        """The server's output so far."""
        path = self.home / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``interlink ARGS`` as this node's operator."""
        return subprocess.run(
            [sys.executable, "-m", "interlink", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


class Cluster:
    """Nodes on their own PostgreSQL databases; ``close`` kills them and drops the databases."""

    def __init__(self, base_url: str, root: Path) -> None:
        self.admin = sqlalchemy.create_engine(base_url, isolation_level="AUTOCOMMIT")
        self.base = make_url(base_url)
        self.root = root
        self.nodes: dict[str, ServedNode] = {}
        self.databases: list[str] = []
        self.run = uuid.uuid4().hex[:10]

    def add(self, name: str, agency: str, **env: str) -> ServedNode:
        """Create the node's database and home (not started)."""
        database = f"federation_{self.run}_{name}"
        with self.admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{database}"'))
        self.databases.append(database)
        url = self.base.set(database=database).render_as_string(hide_password=False)
        home = self.root / name
        home.mkdir(parents=True)
        node = ServedNode(
            name,
            agency,
            url,
            home,
            free_port(),
            local_node(home, agency, agency),
            SqlStore.open(url),
        )
        node.env = {
            **os.environ,
            "INTERLINK_DB": url,
            "INTERLINK_HOME": str(home),
            "INTERLINK_AGENCY": agency,
            "INTERLINK_ACTOR": f"{name}-operator",
            "INTERLINK_FEDERATION_INTERVAL": "1",
            "INTERLINK_FEDERATION_BACKOFF": "0.2",
            "INTERLINK_FEDERATION_BACKOFF_CAP": "2",
            **env,
        }
        self.nodes[name] = node
        return node

    def close(self) -> None:
        """Kill every server, close the stores, drop the databases."""
        for node in self.nodes.values():
            node.kill()
            node.store.close()
        with self.admin.connect() as connection:
            for database in self.databases:
                connection.execute(
                    sqlalchemy.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
                )
        self.admin.dispose()
