"""ORB values as the store keeps them: bytes, not ``orb1:`` text (issue 19: at most 2 KB stored
an image).

The value (``signals.orb``) is ``orb1:`` and the base64 of a count byte and 36-byte records:
2,313 characters for 48 features, the largest value stored. The store keeps ``pack``'s bytes
instead: the ``n`` 32-byte descriptors, then for each feature its x and y in eighths of a
pixel as two 12-bit numbers in 3 bytes (``x + 4096 y``, little-endian): 35 bytes a feature
and no count (it is the length over 35), 1,680 bytes for 48 features. Features are found in a
frame of ``orb.FRAME`` pixels a side, so coordinates stay below 4,096 eighths; a value with one
at or above it (made with another frame), of more features than a value may hold, or not an
ORB value, does not pack (``None``), and is kept as text. ``unpack`` gives back the value as
``orb.dumps`` writes it (what ``orb.validate`` makes of any value it accepts).
"""

from __future__ import annotations

import base64
import binascii

import numpy as np

from interlink.signals.orb import PREFIX, QUERY_FEATURES, RECORD

#: Bytes of a stored feature: its descriptor and two 12-bit coordinates.
PACKED = 35
_LIMIT = 1 << 12


def pack(value: str) -> bytes | None:
    """The stored bytes of an ORB value; ``None`` if it has no such form (see the module)."""
    text = value.strip()
    if not text.startswith(PREFIX):
        return None
    try:
        payload = base64.urlsafe_b64decode(text[len(PREFIX) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    if not payload or payload[0] > QUERY_FEATURES or len(payload) != 1 + payload[0] * RECORD:
        return None
    records = np.frombuffer(payload, np.uint8, offset=1).reshape(payload[0], RECORD)
    points = np.ascontiguousarray(records[:, 32:]).view("<u2").astype(np.uint32)
    if points.size and int(points.max()) >= _LIMIT:
        return None
    packed = (points[:, 0] | points[:, 1] << 12).astype("<u4").view(np.uint8).reshape(-1, 4)
    return records[:, :32].tobytes() + packed[:, :3].tobytes()


def unpack(data: bytes) -> str:
    """The ORB value of stored bytes (``ValueError`` if they are not ``pack``'s)."""
    count, rest = divmod(len(data), PACKED)
    if rest or count > QUERY_FEATURES:
        raise ValueError(f"{len(data)} bytes are not a stored ORB value")
    stored = np.frombuffer(bytes(data), np.uint8)
    low, middle, high = stored[32 * count :].reshape(count, 3).astype(np.uint32).T
    packed = low | middle << 8 | high << 16
    points = np.stack([packed & 0xFFF, packed >> 12], axis=1).astype("<u2")
    records = np.concatenate(
        [stored[: 32 * count].reshape(count, 32), points.view(np.uint8).reshape(count, 4)], axis=1
    )
    return PREFIX + base64.urlsafe_b64encode(bytes([count]) + records.tobytes()).decode("ascii")
