"""Signed binary frames: a signed JSON header followed by binary blobs (PSI messages), each
named in the header with its length and SHA-256, so one signature covers everything and the
blobs cross without base64 inflation.

Layout: ``b"ILF1"``, the header's length (4 bytes, big-endian), the header (a signed document,
``signing.sign_document``), then the blobs back to back in the order the header lists them.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from interlink.domain.errors import FormatError, PeerAuthenticationError
from interlink.federation.identity import NodeIdentity
from interlink.federation.signing import sign_document, verify_document

MAGIC = b"ILF1"


def encode_frame(identity: NodeIdentity, header: dict[str, Any], blobs: dict[str, bytes]) -> bytes:
    """A frame of ``header`` (``"blobs"`` is added) and ``blobs``, signed by ``identity``."""
    listed = [[name, len(data), hashlib.sha256(data).hexdigest()] for name, data in blobs.items()]
    signed = sign_document(identity, {**header, "blobs": listed})
    return b"".join([MAGIC, struct.pack(">I", len(signed)), signed, *blobs.values()])


def decode_frame(data: bytes, pinned: str) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The header and blobs of a frame signed by the node ``pinned``;
    ``PeerAuthenticationError`` if the signature or a blob's digest does not hold."""
    if data[:4] != MAGIC or len(data) < 8:
        raise FormatError("not an Interlink frame", "frame")
    (length,) = struct.unpack(">I", data[4:8])
    header = verify_document(data[8 : 8 + length], pinned)
    blobs: dict[str, bytes] = {}
    offset = 8 + length
    try:
        for name, size, digest in header["blobs"]:
            blob = data[offset : offset + int(size)]
            offset += int(size)
            if len(blob) != int(size) or hashlib.sha256(blob).hexdigest() != digest:
                raise PeerAuthenticationError(pinned, f"blob {name!r} does not match its digest")
            blobs[str(name)] = blob
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError("malformed frame header", "frame") from exc
    if offset != len(data):
        raise FormatError("trailing bytes after the frame's blobs", "frame")
    return header, blobs
