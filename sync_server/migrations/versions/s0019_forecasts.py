"""forecasting: activity_hours (per hospital, unit and hour) and forecasts (issue 25)

Revision ID: s0019forecasts
Revises: s0018par
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "s0019forecasts"
down_revision = "s0018par"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_hours",
        sa.Column("hospital_id", sa.String(length=36), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("transfers_requested", sa.SmallInteger(), nullable=False),
        sa.Column("beds_total", sa.SmallInteger(), nullable=False),
        sa.Column("beds_in_use", sa.SmallInteger(), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["hospital_id"], ["hospitals.id"]),
        sa.PrimaryKeyConstraint("hospital_id", "unit", "hour"),
    )
    op.create_table(
        "forecasts",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("hospital_id", sa.String(length=36), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["hospital_id"], ["hospitals.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("forecasts")
    op.drop_table("activity_hours")
