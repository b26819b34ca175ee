"""exhibit images: the storage-media images an exhibit holds, with their acquisition metadata

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exhibits") as batch:
        batch.add_column(sa.Column("images", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exhibits") as batch:
        batch.drop_column("images")
