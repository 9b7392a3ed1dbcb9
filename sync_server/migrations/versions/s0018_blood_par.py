"""blood par levels: blood_par, each blood bank's par levels (op blood.par_set; issue 24)

Revision ID: s0018par
Revises: s0017donors
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "s0018par"
down_revision = "s0017donors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blood_par",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("pack", sa.JSON(), nullable=True),
        sa.Column("donation_days", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["hospitals.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("blood_par")
