"""Triage results: the current model output of each case.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "triage_results",
        sa.Column("encounter_id", sa.String(36), sa.ForeignKey("encounters.id"), primary_key=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("input_hash", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("suggested_unit", sa.String(16), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("news2_total", sa.Integer(), nullable=True),
        sa.Column("shock_index", sa.Float(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("triage_results")
