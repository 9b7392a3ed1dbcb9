"""ward tasks: ward_tasks, a ward's shared work queue (issue 26)

Revision ID: s0021wardtasks
Revises: s0020casemix
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "s0021wardtasks"
down_revision = "s0020casemix"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ward_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("hospital_id", sa.String(length=36), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("bed_id", sa.String(length=36), nullable=True),
        sa.Column("bed_label", sa.String(length=32), nullable=False),
        sa.Column("patient", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_name", sa.String(length=128), nullable=False),
        sa.Column("claimed_by", sa.String(length=36), nullable=True),
        sa.Column("claimed_by_name", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=True),
        sa.Column("news2", sa.SmallInteger(), nullable=True),
        sa.Column("news2_single_three", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["hospital_id"], ["hospitals.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ward_tasks_open", "ward_tasks", ["hospital_id", "state"])
    op.create_index("ix_ward_tasks_source", "ward_tasks", ["source_id", "kind"])


def downgrade() -> None:
    op.drop_index("ix_ward_tasks_source", table_name="ward_tasks")
    op.drop_index("ix_ward_tasks_open", table_name="ward_tasks")
    op.drop_table("ward_tasks")
