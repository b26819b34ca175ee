"""ORB values out of the value indexes: one ORB signal per media, and the (type, value)
indexes of media and list entries leave ORB values out

An ORB value is ~2.3 KB of text. Kept in the unique (sha256, type, value) index and in the
(type, value) index, each copy spilled to an overflow page: 12.2 KB stored per scanned image
on SQLite. Nothing looks an ORB value up by its value (the ORB index is built from whole
rows), so those indexes now cover every other signal only, and a media has at most one ORB
value (unique (type, sha256) where type is ORB; a duplicate, which only differing ORB
settings could have made, keeps the first stored).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 11:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

ORB = sa.text("type = 'orb'")
NOT_ORB = sa.text("type <> 'orb'")


def _partial(name: str, table: str, columns: list[str], where: sa.TextClause, unique: bool) -> None:
    op.create_index(name, table, columns, unique=unique, sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    with op.batch_alter_table("media_signals") as batch:
        batch.drop_constraint("uq_media_signals_sha256", type_="unique")
    op.execute(
        "DELETE FROM media_signals WHERE type = 'orb' AND id NOT IN "
        "(SELECT min(id) FROM media_signals WHERE type = 'orb' GROUP BY sha256)"
    )
    _partial("uq_media_signals_sha256", "media_signals", ["sha256", "type", "value"], NOT_ORB, True)
    _partial("uq_media_signals_orb", "media_signals", ["type", "sha256"], ORB, True)
    op.drop_index("ix_media_signals_type_value", table_name="media_signals")
    _partial("ix_media_signals_type_value", "media_signals", ["type", "value"], NOT_ORB, False)
    op.drop_index("ix_entry_signals_type_value", table_name="entry_signals")
    _partial("ix_entry_signals_type_value", "entry_signals", ["type", "value"], NOT_ORB, False)


def downgrade() -> None:
    op.drop_index("ix_entry_signals_type_value", table_name="entry_signals")
    op.create_index("ix_entry_signals_type_value", "entry_signals", ["type", "value"])
    op.drop_index("ix_media_signals_type_value", table_name="media_signals")
    op.create_index("ix_media_signals_type_value", "media_signals", ["type", "value"])
    op.drop_index("uq_media_signals_orb", table_name="media_signals")
    op.drop_index("uq_media_signals_sha256", table_name="media_signals")
    with op.batch_alter_table("media_signals") as batch:
        batch.create_unique_constraint("uq_media_signals_sha256", ["sha256", "type", "value"])
