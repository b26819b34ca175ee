"""sealed secrets: a user's TOTP secret column holds a sealed value (longer than the secret)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    # SQLite does not enforce a VARCHAR's length, and rebuilding ``users`` there (the only way
    # SQLite changes a column) would touch every table that refers to it: nothing to do.
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    if _postgresql():
        op.alter_column("users", "totp_secret", existing_type=sa.String(length=64), type_=sa.Text())


def downgrade() -> None:
    if _postgresql():
        op.alter_column("users", "totp_secret", existing_type=sa.Text(), type_=sa.String(length=64))
