"""An audit queue: records committed but not yet chained

On PostgreSQL an audit record is committed to ``audit_queue`` first and moved into
``audit_log``, hash-chained, by a chainer moments later, so that no writer waits for the
chain head's lock (``adapters/sql/audit_queue.py``). SQLite keeps chaining at once and leaves
the table empty. Downgrade chains nothing: it refuses while records are queued, so none is lost.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_queue",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_queue")),
    )


def downgrade() -> None:
    queued = op.get_bind().execute(sa.text("SELECT count(*) FROM audit_queue")).scalar()
    if queued:
        raise RuntimeError(
            f"{queued} audit records are queued and not yet chained: run any audit read"
            " (interlink audit verify) on this version first, then downgrade"
        )
    op.drop_table("audit_queue")
