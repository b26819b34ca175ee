"""ORB values stored as bytes: a ``data`` column in media_signals and entry_signals

An ORB value is 1,729 bytes at most, but as ``orb1:`` base64 text it is 2,313 characters: on
SQLite 2,990 B stored per scanned image (after 0022). Each ORB row now keeps its value as the
1,680 bytes of ``signals.orb_bytes`` in ``data``, ``value`` empty; a value without that form
(a coordinate too large for 12 bits, or not an ORB value at all) stays text, ``data`` NULL.
Existing rows are converted; downgrade writes the text back. SQLite keeps the freed pages in
its file until ``VACUUM``; dropping the column on downgrade needs SQLite 3.35 or newer.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 12:50:00
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TABLES = ("media_signals", "entry_signals")
#: Rows converted per statement batch.
BATCH = 1000


def _convert(
    table: str,
    read: str,
    write: str,
    change: Callable[[Any], dict[str, object] | None],
) -> None:
    """Rewrite the ORB rows of ``table``, ``BATCH`` at a time by id: ``read`` selects
    ``(id, column)`` of the rows after ``:after``, ``change`` gives each its new columns for
    ``write`` (``None``: left as it is)."""
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(sa.text(read), {"after": after, "limit": BATCH}).all()
        if not rows:
            return
        after = int(rows[-1][0])
        updates = [{"id": int(row[0]), **new} for row in rows if (new := change(row)) is not None]
        if updates:
            connection.execute(sa.text(write.format(table=table)), updates)


def upgrade() -> None:
    from interlink.signals.orb_bytes import pack

    def packed(row: Any) -> dict[str, object] | None:
        data = pack(str(row[1]))
        return None if data is None else {"data": data}

    for table in TABLES:
        op.add_column(table, sa.Column("data", sa.LargeBinary(), nullable=True))
        _convert(
            table,
            f"SELECT id, value FROM {table} WHERE type = 'orb' AND id > :after "
            "ORDER BY id LIMIT :limit",
            "UPDATE {table} SET value = '', data = :data WHERE id = :id",
            packed,
        )


def downgrade() -> None:
    from interlink.signals.orb_bytes import unpack

    def text(row: Any) -> dict[str, object] | None:
        return {"value": unpack(bytes(row[1]))}

    for table in TABLES:
        _convert(
            table,
            f"SELECT id, data FROM {table} WHERE data IS NOT NULL AND id > :after "
            "ORDER BY id LIMIT :limit",
            "UPDATE {table} SET value = :value, data = NULL WHERE id = :id",
            text,
        )
        op.execute(f"ALTER TABLE {table} DROP COLUMN data")
