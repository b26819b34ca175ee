"""An image's own facts: the acquisition metadata and hashes an E01 stores, and a recomputation
of the media hash (``--verify-image``) to compare with them."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pyewf

from interlink.domain.disk import ImageFacts
from interlink.sources.disk_streams import ReadAt

_CHUNK = 32 << 20
_HEADERS = (
    "case_number",
    "evidence_number",
    "examiner_name",
    "description",
    "notes",
    "acquiry_date",
    "system_date",
    "acquiry_operating_system",
    "acquiry_software",
    "acquiry_software_version",
    "model",
    "serial_number",
)


def image_facts(
    path: Path, type_indicator: str, size: int, verify: bool, read_at: ReadAt
) -> tuple[ImageFacts, list[str]]:
    """The facts of the image at ``path`` and messages for what could not be read.

    For EWF the header values and stored hashes come from ``pyewf`` over every segment found
    from the first; ``verify`` reads all media data (MD5 and SHA-1, plus SHA-256 for images
    with no stored hash) and compares with what is stored.
    """
    if type_indicator != "EWF":
        facts = ImageFacts(type_indicator, size)
        if not verify:
            return facts, []
        return _verify(lambda size, offset: read_at(offset, size), facts, {})
    try:
        names = pyewf.glob(str(path))
        handle = pyewf.handle()
        handle.open(names)
    except (OSError, RuntimeError) as exc:
        return ImageFacts(type_indicator, size), [f"cannot read the EWF metadata: {exc}"]
    try:
        headers = handle.get_header_values() or {}
        stored = {
            key.lower(): value.lower() for key, value in (handle.get_hash_values() or {}).items()
        }
        facts = ImageFacts(
            "EWF",
            int(handle.get_media_size()),
            len(names),
            tuple(sorted((k, str(v)) for k, v in headers.items() if k in _HEADERS and v)),
            tuple(sorted(stored.items())),
        )
        if not verify:
            return facts, []
        return _verify(handle.read_buffer_at_offset, facts, stored)
    finally:
        handle.close()


def _verify(
    read_at: Any, facts: ImageFacts, stored: dict[str, str]
) -> tuple[ImageFacts, list[str]]:
    digests = {"md5": hashlib.md5(), "sha1": hashlib.sha1()}
    if not stored:
        digests["sha256"] = hashlib.sha256()
    offset = 0
    try:
        while offset < facts.media_size:
            data = read_at(min(_CHUNK, facts.media_size - offset), offset)
            if not data:
                break
            for digest in digests.values():
                digest.update(data)
            offset += len(data)
    except (OSError, RuntimeError) as exc:
        message = f"cannot verify the image: read failed at offset {offset}: {exc}"
        return _with(facts, {}, False if stored else None), [message]
    computed = {name: digest.hexdigest() for name, digest in digests.items()}
    common = [name for name in stored if name in computed]
    verified = all(stored[name] == computed[name] for name in common) if common else None
    problems = [] if verified is not False else ["the image's data does not match its stored hash"]
    return _with(facts, computed, verified), problems


def _with(facts: ImageFacts, computed: dict[str, str], verified: bool | None) -> ImageFacts:
    return ImageFacts(
        facts.format,
        facts.media_size,
        facts.segments,
        facts.acquisition,
        facts.stored,
        tuple(sorted(computed.items())),
        verified,
    )
