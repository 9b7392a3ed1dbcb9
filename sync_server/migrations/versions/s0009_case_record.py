"""the case record: append-only entries (timeline stamps, drugs given, procedures) and each case's crew

Revision ID: s0009rec
Revises: s0008acct
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "s0009rec"
down_revision = "s0008acct"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "encounter_crews",
        sa.Column("encounter_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("encounter_id"),
    )
    op.create_table(
        "record_entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("encounter_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_entries_encounter_id", "record_entries", ["encounter_id"])


def downgrade() -> None:
    op.drop_index("ix_record_entries_encounter_id", table_name="record_entries")
    op.drop_table("record_entries")
    op.drop_table("encounter_crews")
