"""media places indexed: linking by place looks media up by latitude and longitude

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_media_clues_latitude_longitude", "media_clues", ["latitude", "longitude"])


def downgrade() -> None:
    op.drop_index("ix_media_clues_latitude_longitude", table_name="media_clues")
