"""Bed events: each bed status change the sync feed brought, for the coordinator's occupancy chart.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bed_events",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("bed_id", sa.String(36), nullable=False),
        sa.Column("hospital_id", sa.String(36), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(24), nullable=True),
        sa.Column("to_status", sa.String(24), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_bed_events_at", "bed_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_bed_events_at", "bed_events")
    op.drop_table("bed_events")
