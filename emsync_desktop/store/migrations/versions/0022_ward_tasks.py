"""Ward tasks (issue 26): ward_tasks, a ward's shared work queue as the feed brings it, with this device's changes.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ward_tasks",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("hospital_id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sync_state", sa.String(16), nullable=False),
        sa.Column("sync_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_ward_tasks_hospital_id", "ward_tasks", ["hospital_id"])


def downgrade() -> None:
    op.drop_index("ix_ward_tasks_hospital_id", table_name="ward_tasks")
    op.drop_table("ward_tasks")
