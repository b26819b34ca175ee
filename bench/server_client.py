"""A small HTTP/1.1 keep-alive client on asyncio streams, for the server benchmark's load.

The benchmark's clients share the machine's two cores with the server, so the load generator
must cost little: one request here is a write and a parse of the status line, the headers and
a ``Content-Length`` or chunked body, about a tenth of what ``httpx`` spends. It speaks only
to the benchmark's own server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any


class HttpError(Exception):
    """The connection failed or the response could not be read."""


class Connection:
    """One keep-alive connection to ``host:port``, sending ``headers`` with every request;
    reconnects after an error."""

    def __init__(self, host: str, port: int, headers: dict[str, str], timeout: float) -> None:
        self._host = host
        self._port = port
        self._fixed = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """Send a request (``body`` as JSON); its status and body. A kept-alive connection
        the server closed while it was idle (uvicorn closes them after 5 s) is opened again,
        and a request it lost before any byte of the answer came is sent once more, as
        HTTP clients do."""
        for attempt in (1, 2):
            reused = self._writer is not None
            try:
                return await asyncio.wait_for(self._exchange(method, path, body), self._timeout)
            except asyncio.IncompleteReadError as exc:
                await self.close()
                if not (reused and attempt == 1 and not exc.partial):
                    raise HttpError(str(exc)) from exc
            except (TimeoutError, OSError, ValueError) as exc:
                await self.close()
                raise HttpError(str(exc) or type(exc).__name__) from exc
        raise AssertionError("unreachable")

    async def _exchange(self, method: str, path: str, body: Any) -> tuple[int, bytes]:
        if self._reader is not None and self._reader.at_eof():
            await self.close()  # the server closed the idle connection
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        reader, writer = self._reader, self._writer
        assert reader is not None
        payload = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self._host}\r\n{self._fixed}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        writer.write(head.encode() + b"\r\n" + payload)
        status_line = await reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length: int | None = None
        chunked = closing = False
        while True:
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            key = name.strip().lower()
            if key == b"content-length":
                length = int(value.strip())
            elif key == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif key == b"connection" and b"close" in value.lower():
                closing = True
        if chunked:
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                parts.append(await reader.readexactly(size))
                await reader.readexactly(2)
            content = b"".join(parts)
        elif length is not None:
            content = await reader.readexactly(length)
        else:
            content = await reader.read()
            closing = True
        if closing:
            await self.close()
        return status, content

    async def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


class LoopLag:
    """How late the clients' event loop runs a timer, sampled every ``interval`` seconds while
    the load runs: a request's measured latency includes the loop's lag before it reads the
    answer, so a CPU-starved load generator shows here, not in the server's own times."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.samples: list[float] = []

    async def run(self, until: float) -> None:
        """Sample until ``until`` (``time.monotonic()``)."""
        while time.monotonic() < until:
            started = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.samples.append(max(0.0, time.perf_counter() - started - self.interval))

    def summary(self) -> dict[str, float]:
        """p50, p99 and the largest lag (ms), and how many samples."""
        ordered = sorted(self.samples)
        if not ordered:
            return {"samples": 0}

        def at(q: float) -> float:
            return round(1000.0 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

        return {"samples": len(ordered), "p50_ms": at(0.5), "p99_ms": at(0.99), "max_ms": at(1.0)}
