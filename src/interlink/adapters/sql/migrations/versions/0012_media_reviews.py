"""per-user reviewed marks on a case's media

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_reviews",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_media_reviews_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("user_id", "case_id", "sha256", name=op.f("pk_media_reviews")),
    )


def downgrade() -> None:
    op.drop_table("media_reviews")
