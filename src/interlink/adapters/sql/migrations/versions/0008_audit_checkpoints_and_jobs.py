"""audit checkpoints and jobs (and, on PostgreSQL, procrastinate's queue schema)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:40:00.000000

On PostgreSQL this revision also applies the schema of the pinned ``procrastinate`` release
(its tables, types and functions, in the connection's schema). Upgrading procrastinate to a
release that ships SQL migrations means a new revision here that applies them (see
``docs/architecture/jobs.md``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoints")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("files_done", sa.BigInteger(), nullable=False),
        sa.Column("files_total", sa.BigInteger(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("queue_ref", sa.String(length=100), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_jobs_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index(op.f("ix_jobs_state"), "jobs", ["state"], unique=False)
    op.create_index(
        "ix_jobs_agency_id_submitted_at", "jobs", ["agency_id", "submitted_at"], unique=False
    )
    # The chain's head row exists from the start, so the first two concurrent appends both
    # lock it instead of both inserting it.
    op.execute(
        sa.text(
            "INSERT INTO audit_head (id, hash, count) SELECT 1, :genesis, 0 "
            "WHERE NOT EXISTS (SELECT 1 FROM audit_head WHERE id = 1)"
        ).bindparams(genesis="0" * 64)
    )
    if op.get_bind().dialect.name == "postgresql":
        _apply_procrastinate_schema()


def _apply_procrastinate_schema() -> None:
    from procrastinate.schema import SchemaManager

    connection = op.get_bind()
    exists = connection.execute(sa.text("SELECT to_regclass('procrastinate_jobs')")).scalar()
    if exists is None:
        # Many statements, no parameters: the driver runs it as given (no placeholders).
        connection.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    op.drop_index("ix_jobs_agency_id_submitted_at", table_name="jobs")
    op.drop_index(op.f("ix_jobs_state"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_table("audit_checkpoints")
