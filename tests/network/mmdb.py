"""A tiny MaxMind DB (MMDB, format 2.0) writer for tests, from the public MaxMind DB spec:
a binary search tree of 24-bit records over IPv4 bits, a 16-byte zero separator, a data
section of typed values, then the metadata marker and map."""

from __future__ import annotations

import ipaddress
import struct
from typing import Any

_METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"


class U16(int):
    """An int written as the spec's uint16 (metadata fields demand their exact type)."""


class U64(int):
    """An int written as the spec's uint64."""


def _control(kind: int, size: int) -> bytes:
    extended = kind > 7
    head = 0 if extended else kind << 5
    if size < 29:
        first, rest = head | size, b""
    elif size < 285:
        first, rest = head | 29, bytes([size - 29])
    else:
        first, rest = head | 30, struct.pack(">H", size - 285)
    out = bytes([first])
    if extended:
        out += bytes([kind - 7])
    return out + rest


def encode(value: Any) -> bytes:
    """One value in the MMDB data-section encoding (str, bool, int >= 0, float, list, dict)."""
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _control(2, len(raw)) + raw
    if isinstance(value, bool):
        return _control(14, int(value))
    if isinstance(value, int):
        raw = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big") if value else b""
        kind = 5 if isinstance(value, U16) else 9 if isinstance(value, U64) else 6
        return _control(kind, len(raw)) + raw
    if isinstance(value, float):
        return _control(3, 8) + struct.pack(">d", value)
    if isinstance(value, list):
        return _control(11, len(value)) + b"".join(encode(item) for item in value)
    if isinstance(value, dict):
        body = b"".join(encode(str(key)) + encode(item) for key, item in value.items())
        return _control(7, len(value)) + body
    raise TypeError(f"cannot encode {value!r}")


def build_mmdb(networks: dict[str, dict[str, Any]]) -> bytes:
    """An IPv4 MMDB mapping each CIDR network to its record."""
    data = b""
    offsets: list[tuple[ipaddress.IPv4Network, int]] = []
    for cidr, value in networks.items():
        offsets.append((ipaddress.IPv4Network(cidr), len(data)))
        data += encode(value)
    nodes: list[list[Any]] = [[None, None]]
    for network, offset in offsets:
        bits = int(network.network_address)
        node = 0
        for depth in range(network.prefixlen):
            bit = (bits >> (31 - depth)) & 1
            if depth == network.prefixlen - 1:
                nodes[node][bit] = ("data", offset)
            else:
                if nodes[node][bit] is None:
                    nodes.append([None, None])
                    nodes[node][bit] = ("node", len(nodes) - 1)
                node = nodes[node][bit][1]
    count = len(nodes)

    def record(value: Any) -> int:
        if value is None:
            return count
        kind, number = value
        return int(number) if kind == "node" else count + 16 + int(number)

    tree = b"".join(
        record(left).to_bytes(3, "big") + record(right).to_bytes(3, "big") for left, right in nodes
    )
    metadata = {
        "node_count": count,
        "record_size": U16(24),
        "ip_version": U16(4),
        "database_type": "Interlink-Test-Country",
        "languages": ["en"],
        "binary_format_major_version": U16(2),
        "binary_format_minor_version": U16(0),
        "build_epoch": U64(1_700_000_000),
        "description": {"en": "test"},
    }
    return tree + b"\x00" * 16 + data + _METADATA_MARKER + encode(metadata)
