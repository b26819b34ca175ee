"""Each list's entry count stored with it

``hash_lists.entry_count`` is kept by every change of a list's entries, in the change's own
transaction (``adapters/sql/lists.py``), so listing the lists no longer counts their entries:
on PostgreSQL, counting a list of ten million entries read the whole table (seconds), in every
process once per import generation (each server worker, the job worker, an import). Filled
here by counting each list once. NULL (a list stored by another way) is counted when read.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("hash_lists", sa.Column("entry_count", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE hash_lists SET entry_count ="
        " (SELECT count(*) FROM list_entries WHERE list_entries.list_id = hash_lists.id)"
    )


def downgrade() -> None:
    # Not a batch (a copied table): dropping the old one would cascade to the entries in SQLite.
    op.execute("ALTER TABLE hash_lists DROP COLUMN entry_count")
