"""The attachments of a case's chats as evidence: each with its message, the stored media it
is (its own hash, or for a file the export left out, the media a scan found with the same MD5,
or else the same file name and size), that media's known-list matches, and whether a scan
found it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from interlink.adapters.sql.chat_schema import chat_attachments, chat_messages
from interlink.adapters.sql.dialect import CHUNK
from interlink.adapters.sql.schema import media, media_matches, sightings


def _found_elsewhere(connection: Connection, row: Mapping[str, Any]) -> str | None:
    """The SHA-256 of a stored media that is the attachment the export left out: the same
    MD5, or (without a hash) a sighting with the same file name and size."""
    if row["md5"]:
        query = select(media.c.sha256).where(media.c.md5 == row["md5"]).limit(1)
        return connection.execute(query).scalar()
    if row["present"] or not row["name"] or row["size"] is None:
        return None
    name = str(row["name"])
    query = (
        select(sightings.c.sha256)
        .where(sightings.c.size == int(row["size"]))
        .where((sightings.c.path == name) | sightings.c.path.endswith("/" + name))
        .limit(1)
    )
    found = connection.execute(query).scalar()
    return None if found is None else str(found)


def attachments(engine: Engine, case_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every attachment of a case's chats with its message's sender, time and
    conversation, the stored media it is (``media_sha256``: its own SHA-256; for a file
    the export left out, the media a scan found with the MD5 the export gave, or else with
    the same file name and size), that media's known-list matches, and whether a scan
    found it (``found_by_scan``)."""
    query = (
        select(
            chat_attachments,
            chat_messages.c.sender_key,
            chat_messages.c.sent_at,
            chat_messages.c.time_text,
            chat_messages.c.conversation_id,
            chat_messages.c.key.label("message_key"),
        )
        .join(chat_messages, chat_messages.c.id == chat_attachments.c.message_id)
        .where(chat_attachments.c.case_id == case_id)
        .order_by(chat_attachments.c.id)
    )
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(query)]
        for row in rows:
            row["media_sha256"] = row["sha256"] or _found_elsewhere(connection, row)
        hashes = sorted({str(r["media_sha256"]) for r in rows if r["media_sha256"]})
        matched: dict[str, int] = {}
        seen: set[str] = set()
        for start in range(0, len(hashes), CHUNK):
            part = hashes[start : start + CHUNK]
            for m in connection.execute(
                select(media_matches.c.sha256, func.count().label("n"))
                .where(media_matches.c.sha256.in_(part))
                .group_by(media_matches.c.sha256)
            ):
                matched[m.sha256] = int(m.n)
            seen.update(
                s.sha256
                for s in connection.execute(
                    select(sightings.c.sha256).where(sightings.c.sha256.in_(part)).distinct()
                )
            )
    for row in rows:
        sha = row["media_sha256"]
        row["known_matches"] = matched.get(sha, 0) if sha else 0
        row["found_by_scan"] = bool(sha and sha in seen)
    return rows
