"""agency settings: the daily reveal budget an agency admin sets

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_settings",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("reveal_budget", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_agency_settings_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("agency_id", name=op.f("pk_agency_settings")),
    )


def downgrade() -> None:
    op.drop_table("agency_settings")
